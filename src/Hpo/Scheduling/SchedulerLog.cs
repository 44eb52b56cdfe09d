using Microsoft.Extensions.Logging;

namespace Hpo.Scheduling;

/// <summary>
/// The scheduler's log events, source-generated. Their ids are stable (1101-1199): filter or alert on them. They are written to
/// the study's logger (category <c>Hpo.Studies.Study</c>).
/// </summary>
internal static partial class SchedulerLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Study {Study}: trial {Number} was orphaned by a process that no longer runs ({Owner}); recorded as stale.")]
    public static partial void OrphanRecordedStale(ILogger logger, string study, int number, string? owner);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Study {Study}: trial {Number} could not be recorded as failed after its proposal failed.")]
    public static partial void UnproposedNotRecorded(ILogger logger, Exception exception, string study, int number);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Study {Study}: renewing the heartbeats of asked trials failed; retrying at the next interval.")]
    public static partial void AskedHeartbeatFailed(ILogger logger, Exception exception, string study);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Study {Study}: trial {Number} failed{Retry}.")]
    public static partial void TrialFailed(ILogger logger, Exception exception, string study, int number, string retry);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Study {Study}: trial {Number} finished {State} with {Values}.")]
    public static partial void TrialFinished(ILogger logger, string study, int number, Trials.TrialState state, IReadOnlyList<double> values);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "Study {Study}: the OnTrialFinished callback threw; the study goes on.")]
    public static partial void FinishedCallbackThrew(ILogger logger, Exception exception, string study);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Study {Study}: trial {Number} was finished elsewhere (its lease expired, or another worker recorded it) before this worker could record its result ({State}); the result is not counted.")]
    public static partial void LateResult(ILogger logger, Exception exception, string study, int number, Trials.TrialState state);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Study {Study}: recording the result of trial {Number} failed; retrying.")]
    public static partial void FinishFailedRetrying(ILogger logger, Exception exception, string study, int number);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Error, Message = "Study {Study}: the result of trial {Number} could not be recorded; the trial is recorded as failed.")]
    public static partial void ResultRecordedAsFailed(ILogger logger, Exception exception, string study, int number);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Error, Message = "Study {Study}: trial {Number} could not be recorded, not even as failed; the run stops and records it when the storage answers again.")]
    public static partial void ResultHeld(ILogger logger, Exception exception, string study, int number);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Study {Study}: trial {Number} still cannot be recorded as failed.")]
    public static partial void HeldResultStillRefused(ILogger logger, Exception exception, string study, int number);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Study {Study}: renewing heartbeats failed; retrying at the next interval.")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string study);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Information, Message = "Study {Study}: stop requested; no trial starts any more, and the {Running} running trials may finish within {GraceSeconds} s.")]
    public static partial void StopRequested(ILogger logger, string study, int running, double graceSeconds);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Information, Message = "Study {Study}: trial {Number} handed back (recorded stale; the study's retry policy runs it again).")]
    public static partial void HandedBack(ILogger logger, string study, int number);

    [LoggerMessage(EventId = 1115, Level = LogLevel.Error, Message = "Study {Study}: the OnTrialHandedBack callback threw for trial {Number}; the run goes on.")]
    public static partial void HandedBackCallbackThrew(ILogger logger, Exception exception, string study, int number);

    [LoggerMessage(EventId = 1116, Level = LogLevel.Warning, Message = "Study {Study}: the handed-back trials did not stop within {Seconds} s of being cancelled; the run returns without them.")]
    public static partial void Abandoned(ILogger logger, string study, double seconds);

    [LoggerMessage(EventId = 1117, Level = LogLevel.Error, Message = "Study {Study}: handing back trial {Number} failed; its lease expires and marks it stale.")]
    public static partial void HandBackFailed(ILogger logger, Exception exception, string study, int number);
}
