using Microsoft.Extensions.Logging;

namespace Hpo.Execution;

/// <summary>
/// The executors' log messages, source-generated (no boxing, no parsing of the template per call, nothing done when the level
/// is off). Event ids are stable, so that log queries and alerts can rely on them: 100-119 the trial-program runner and the
/// child-process executor, 120-139 the container executor.
/// </summary>
internal static partial class ExecutionLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "The trial program {Pid} did not exit within the grace period; killing its process tree.")]
    public static partial void KillingAfterGracePeriod(this ILogger logger, int pid);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Trial {Number}: stopping the trial program ({Decision}).")]
    public static partial void StoppingTrialProgram(this ILogger logger, int number, string decision);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Trial {Number}: the output stayed open after the trial program exited (a descendant process still holds it); it is no longer read.")]
    public static partial void OutputStayedOpen(this ILogger logger, int number);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Trial {Number}: ignored a malformed protocol line: {Error}.")]
    public static partial void MalformedProtocolLine(this ILogger logger, int number, string? error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "Trial {Number}: could not set the attribute {Key}.")]
    public static partial void AttributeNotSet(this ILogger logger, Exception exception, int number, string key);

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "Container {Name}: the CLI did not exit after the container was stopped; killing it.")]
    public static partial void ContainerCliDidNotExit(this ILogger logger, string name);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Could not run the container CLI \"{Cli}\".")]
    public static partial void ContainerCliNotRun(this ILogger logger, Exception exception, string cli);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "The container CLI command \"{Command}\" took longer than {Limit}; killed.")]
    public static partial void ContainerCommandTimedOut(this ILogger logger, string command, TimeSpan limit);

    [LoggerMessage(EventId = 123, Level = LogLevel.Debug, Message = "The container CLI command \"{Command}\" exited with code {Code}: {Error}")]
    public static partial void ContainerCommandFailed(this ILogger logger, string command, int code, string error);
}
