using Hpo.Studies;
using Microsoft.Extensions.Logging;

namespace Hpo.Execution.ChildProcess;

/// <summary>How a <see cref="ChildProcessExecutor"/> starts a trial program.</summary>
public sealed class ChildProcessExecutorOptions
{
    /// <summary>
    /// Gets or sets the command: the program followed by its arguments, one element each (no shell is involved, so no quoting is
    /// needed). Each element is a template: <c>{trial_number}</c>, <c>{study_name}</c>, <c>{artifacts_dir}</c>,
    /// <c>{parameters_file}</c>, <c>{search_space_file}</c> and <c>{param:NAME}</c> (the value of parameter NAME in invariant
    /// form, empty when it is inactive) are replaced; write <c>{{</c> and <c>}}</c> for literal braces.
    /// </summary>
    /// <value>The default value is an empty list; at least the program is required.</value>
    public IList<string> Command { get; set; } = [];

    /// <summary>Gets or sets the working directory of the trial program.</summary>
    /// <value>The default value is <see langword="null"/>: the current directory of this process.</value>
    public string? WorkingDirectory { get; set; }

    /// <summary>Gets the extra environment variables of the trial program; a <see langword="null"/> value removes an inherited variable. The protocol's variables (<c>HPO_*</c>) are set after these.</summary>
    /// <value>The default value is an empty dictionary: the program inherits this process's environment.</value>
    public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>Gets or sets how long a trial program that the worker stops has, after SIGTERM, before its process tree is killed.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan GracePeriod { get; set; } = ChildProcessExecutorDefaults.GracePeriod;

    /// <summary>
    /// Gets or sets the directory under which each trial gets its artifacts directory, <c>&lt;root&gt;/&lt;study&gt;/trial-&lt;number&gt;</c>
    /// (with the log, the parameters and the search space).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <c>hpo-artifacts</c> in the system's temporary directory.</value>
    public string? ArtifactsRoot { get; set; }

    /// <summary>Gets or sets how many characters of the end of the log are kept with the trial (the <c>hpo.log_tail</c> user attribute).</summary>
    /// <value>The default value is 4096.</value>
    public int LogTailLength { get; set; } = ChildProcessExecutorDefaults.LogTailLength;

    /// <summary>Gets or sets the logger factory for the executor's own diagnostics (malformed protocol lines, stop decisions).</summary>
    /// <value>The default value is <see langword="null"/>: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (Command is null || Command.Count == 0 || string.IsNullOrWhiteSpace(Command[0]))
        {
            problems.Add("Command must name the program to start, as its first element, but it is empty.");
        }
        else
        {
            CommandTemplate.Validate(Command, problems);
        }

        if (GracePeriod < TimeSpan.Zero || GracePeriod > TimeSpan.FromHours(1))
        {
            problems.Add($"GracePeriod must be between 0 and 1 hour, but got {GracePeriod}.");
        }

        if (LogTailLength is < 0 or > 1024 * 1024)
        {
            problems.Add($"LogTailLength must be between 0 and 1048576 characters, but got {LogTailLength}.");
        }

        if (Environment.Keys.Any(k => string.IsNullOrEmpty(k) || k.Contains('=', StringComparison.Ordinal)))
        {
            problems.Add("Environment variable names cannot be empty or hold '='.");
        }

        OptionsValidation.ThrowIfAny(nameof(ChildProcessExecutorOptions), problems);
    }
}

/// <summary>The defaults of <see cref="ChildProcessExecutorOptions"/>.</summary>
internal static class ChildProcessExecutorDefaults
{
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

    public const int LogTailLength = 4096;

    public static string ArtifactsRoot => Path.Combine(Path.GetTempPath(), "hpo-artifacts");
}
