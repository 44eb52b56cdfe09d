using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hpo.Trials;

namespace Hpo.Telemetry;

/// <summary>
/// The names of Hpo's traces and metrics, for OpenTelemetry (<c>AddSource("Hpo")</c>, <c>AddMeter("Hpo")</c>) or any
/// <see cref="ActivityListener"/> / <see cref="MeterListener"/>. Nothing is measured while nobody listens.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>Activity <c>hpo.trial</c> (kind Internal) around each trial a study runs, with tags <c>hpo.study</c>,
/// <c>hpo.trial.number</c> and, when it ends, <c>hpo.trial.state</c>; its status is Error for a failed trial. The objective runs
/// inside it, so the objective's own activities are its children.</description></item>
/// <item><description>Counter <c>hpo.trials.started</c> (<c>{trial}</c>, tag <c>hpo.study</c>).</description></item>
/// <item><description>Counter <c>hpo.trials.finished</c> (<c>{trial}</c>, tags <c>hpo.study</c>, <c>hpo.trial.state</c>: complete,
/// pruned, failed; late when the storage refused the result because the trial had finished elsewhere; unrecorded when the storage could not take it yet).</description></item>
/// <item><description>Histogram <c>hpo.trial.duration</c> (<c>s</c>, tags <c>hpo.study</c>, <c>hpo.trial.state</c>).</description></item>
/// <item><description>Histogram <c>hpo.storage.duration</c> (<c>s</c>, tag <c>hpo.storage.operation</c>: start_trial,
/// set_parameters, finish_trial, finish_and_start_trial), the latency of the storage calls of a running study.</description></item>
/// </list>
/// </remarks>
public static class HpoTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>: <c>Hpo</c>.</summary>
    public const string Name = "Hpo";

    /// <summary>The name of the activity around a trial.</summary>
    public const string TrialActivityName = "hpo.trial";

    /// <summary>The counter of started trials.</summary>
    public const string TrialsStartedName = "hpo.trials.started";

    /// <summary>The counter of finished trials, by state.</summary>
    public const string TrialsFinishedName = "hpo.trials.finished";

    /// <summary>The histogram of trial durations in seconds, by state.</summary>
    public const string TrialDurationName = "hpo.trial.duration";

    /// <summary>The histogram of storage call latencies in seconds, by operation.</summary>
    public const string StorageDurationName = "hpo.storage.duration";

    /// <summary>The tag with the study's name.</summary>
    public const string StudyTag = "hpo.study";

    /// <summary>The tag with the trial's number.</summary>
    public const string TrialNumberTag = "hpo.trial.number";

    /// <summary>The tag with the trial's final state (lower case).</summary>
    public const string TrialStateTag = "hpo.trial.state";

    /// <summary>The tag with the storage operation.</summary>
    public const string StorageOperationTag = "hpo.storage.operation";

    private static readonly string? Version = typeof(HpoTelemetry).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(Name, Version);

    internal static readonly Meter Meter = new(Name, Version);

    private static readonly Counter<long> Started = Meter.CreateCounter<long>(TrialsStartedName, "{trial}", "Trials started by this process.");

    private static readonly Counter<long> Finished = Meter.CreateCounter<long>(TrialsFinishedName, "{trial}", "Trials finished by this process, by state.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(TrialDurationName, "s", "How long trials ran, by state.");

    private static readonly Histogram<double> StorageDuration = Meter.CreateHistogram<double>(StorageDurationName, "s", "Latency of the storage calls of a running study.");

    /// <summary>Starts what is measured of one trial: its activity (when listened to), the started counter and its clock.</summary>
    internal static TrialTelemetry StartTrial(string study, int number)
    {
        if (Started.Enabled)
        {
            Started.Add(1, new KeyValuePair<string, object?>(StudyTag, study));
        }

        Activity? activity = Source.HasListeners() ? Source.StartActivity(TrialActivityName, ActivityKind.Internal) : null;
        if (activity is not null)
        {
            activity.SetTag(StudyTag, study);
            activity.SetTag(TrialNumberTag, number);
        }

        return new TrialTelemetry(activity, study, Finished.Enabled || Duration.Enabled ? Stopwatch.GetTimestamp() : 0);
    }

    /// <summary>Times one storage call when the histogram is listened to; dispose to record it.</summary>
    internal static StorageTiming TimeStorage(string operation) =>
        new(StorageDuration.Enabled ? Stopwatch.GetTimestamp() : 0, operation);

    /// <summary>What is measured of one trial; End records its end once.</summary>
    internal readonly struct TrialTelemetry(Activity? activity, string study, long startTimestamp)
    {
        public Activity? Activity => activity;

        public void End(TrialState state) => End(StateName(state), state == TrialState.Failed);

        public void End(string state, bool error = false)
        {
            var tags = new TagList { { StudyTag, study }, { TrialStateTag, state } };
            Finished.Add(1, tags);
            if (startTimestamp != 0)
            {
                Duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
            }

            if (activity is not null)
            {
                activity.SetTag(TrialStateTag, state);
                activity.SetStatus(error ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
                activity.Dispose();
            }
        }

        private static string StateName(TrialState state) => state switch
        {
            TrialState.Complete => "complete",
            TrialState.Pruned => "pruned",
            TrialState.Failed => "failed",
            TrialState.Stale => "stale",
            TrialState.Running => "running",
            _ => "waiting",
        };
    }

    /// <summary>Records a storage call's latency when disposed.</summary>
    internal readonly struct StorageTiming(long startTimestamp, string operation) : IDisposable
    {
        public void Dispose()
        {
            if (startTimestamp != 0)
            {
                StorageDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>(StorageOperationTag, operation));
            }
        }
    }
}
