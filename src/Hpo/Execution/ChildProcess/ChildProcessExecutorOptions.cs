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

    /// <summary>
    /// Gets the extra environment variables of the trial program; a <see langword="null"/> value removes an inherited variable. They
    /// are set after the inherited ones (<see cref="InheritedVariables"/>), and the protocol's variables (<c>HPO_*</c>) after these.
    /// </summary>
    /// <value>The default value is an empty dictionary.</value>
    public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>
    /// Gets the names of this process's environment variables that the trial program inherits; a name ending in <c>*</c> is a
    /// prefix (<c>LC_*</c>), and <c>*</c> alone passes everything. Every other variable of the worker (its storage URL in
    /// <c>HPO_STORAGE</c>, cloud credentials, tokens) stays out of the trial program, and so out of its log, which is stored with
    /// the trial. Add what your programs need, or give it in <see cref="Environment"/>.
    /// </summary>
    /// <value>
    /// The default value is <see cref="DefaultInheritedVariables"/>: what programs need to run (<c>PATH</c>,
    /// <c>HOME</c>, <c>USER</c>, <c>LANG</c>, <c>LC_*</c>, <c>TZ</c>, <c>TMPDIR</c>, <c>LD_LIBRARY_PATH</c>, <c>DOTNET_*</c>,
    /// Python's and conda's, <c>CUDA_*</c>, <c>NVIDIA_*</c>, <c>OMP_NUM_THREADS</c>...), and Windows' system variables.
    /// </value>
    public IList<string> InheritedVariables { get; } = [.. DefaultInheritedVariables];

    /// <summary>The variables a trial program inherits by default (see <see cref="ChildProcessExecutorOptions.InheritedVariables"/>).</summary>
    public static IReadOnlyList<string> DefaultInheritedVariables { get; } =
    [
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_*", "TZ", "TERM", "TMPDIR", "TMP", "TEMP",
        "LD_LIBRARY_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME",
        "DOTNET_*", "NUGET_PACKAGES", "PYTHONPATH", "PYTHONHOME", "PYTHONUNBUFFERED", "VIRTUAL_ENV", "CONDA_*",
        "CUDA_*", "NVIDIA_*", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
        "SystemRoot", "SYSTEMROOT", "windir", "ComSpec", "PATHEXT", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "ProgramData", "ProgramFiles", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE",
    ];

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

        if (InheritedVariables.FirstOrDefault(n => string.IsNullOrEmpty(n) || n.Contains('=', StringComparison.Ordinal) || n.IndexOf('*', StringComparison.Ordinal) is int star && star >= 0 && star != n.Length - 1) is { } bad)
        {
            problems.Add($"InheritedVariables must hold variable names, or prefixes ending in '*', but got '{bad}'.");
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
