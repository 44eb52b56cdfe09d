using System.Globalization;
using System.Text.RegularExpressions;
using Hpo.Execution.ChildProcess;
using Hpo.Studies;
using Microsoft.Extensions.Logging;

namespace Hpo.Execution.Container;

/// <summary>How a <see cref="ContainerExecutor"/> runs a trial in a container: the CLI, the image, limits and mounts.</summary>
public sealed partial class ContainerExecutorOptions
{
    /// <summary>Gets or sets the container CLI: <c>podman</c>, <c>docker</c>, or a path to either.</summary>
    /// <value>The default value is <c>podman</c>.</value>
    public string Cli { get; set; } = ContainerExecutorDefaults.Cli;

    /// <summary>
    /// Gets the arguments given to the CLI before its command, such as <c>--runtime runc</c>, <c>--root DIR</c> or
    /// <c>--cgroup-manager=cgroupfs</c> for podman, or <c>--host URL</c> for docker.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> GlobalArguments { get; } = [];

    /// <summary>Gets or sets the trial image, as the CLI names it (<c>registry.example.com/team/train:1.4</c>).</summary>
    /// <value>The default value is an empty string; an image is required.</value>
    public string Image { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the command run in the container, one element each, replacing the image's command (the entrypoint stays).
    /// Each element is a template with the placeholders of <see cref="ChildProcessExecutorOptions.Command"/>; paths are the
    /// container's (<c>{artifacts_dir}</c> is <see cref="ContainerArtifactsPath"/>).
    /// </summary>
    /// <value>The default value is an empty list: the image's own command.</value>
    public IList<string> Command { get; set; } = [];

    /// <summary>
    /// Gets the extra arguments of <c>run</c>, placed before the image, such as
    /// <c>--ulimit nofile=1024:1024</c>, <c>--network none</c>, <c>--user 1000</c> or <c>--shm-size 2g</c>.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> RunArguments { get; } = [];

    /// <summary>Gets the extra environment variables of the container. The protocol's variables (<c>HPO_*</c>) are set after these.</summary>
    /// <value>The default value is an empty dictionary: the container sees only the image's variables and the protocol's.</value>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the extra mounts, such as a data set (read-only unless <see cref="ContainerMount.ReadOnly"/> is false).</summary>
    /// <value>The default value is an empty list.</value>
    public IList<ContainerMount> Mounts { get; } = [];

    /// <summary>
    /// Gets or sets the directory on the worker's machine under which each trial gets its artifacts directory,
    /// <c>&lt;root&gt;/&lt;study&gt;/trial-&lt;number&gt;</c>, mounted read-write at <see cref="ContainerArtifactsPath"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <c>hpo-artifacts</c> in the system's temporary directory.</value>
    public string? ArtifactsRoot { get; set; }

    /// <summary>Gets or sets where the container sees its trial's artifacts directory (with <c>parameters.json</c> and <c>search-space.json</c>).</summary>
    /// <value>The default value is <c>/hpo/artifacts</c>.</value>
    public string ContainerArtifactsPath { get; set; } = ContainerExecutorDefaults.ContainerArtifactsPath;

    /// <summary>Gets or sets the working directory inside the container (<c>--workdir</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the image's.</value>
    public string? WorkingDirectory { get; set; }

    /// <summary>Gets or sets how many CPUs a trial container may use (<c>--cpus</c>), for example 1.5.</summary>
    /// <value>The default value is <see langword="null"/>: no limit.</value>
    public double? Cpus { get; set; }

    /// <summary>Gets or sets how much memory a trial container may use (<c>--memory</c>): a number of bytes with an optional unit b, k, m or g (<c>512m</c>, <c>4g</c>).</summary>
    /// <value>The default value is <see langword="null"/>: no limit.</value>
    public string? Memory { get; set; }

    /// <summary>
    /// Gets or sets the GPU request passed as <c>--gpus VALUE</c> (<c>all</c>, <c>2</c>, <c>device=0,1</c>): Docker's flag, which
    /// needs the NVIDIA container toolkit on the node. With podman, request GPUs through CDI with <see cref="Devices"/> instead
    /// (<c>nvidia.com/gpu=all</c>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no GPU.</value>
    public string? Gpus { get; set; }

    /// <summary>Gets the devices passed as <c>--device VALUE</c> each: a host device (<c>/dev/dri</c>) or, with podman, a CDI device (<c>nvidia.com/gpu=all</c>).</summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> Devices { get; } = [];

    /// <summary>Gets or sets when the image is pulled (<c>--pull</c>).</summary>
    /// <value>The default value is <see cref="ContainerPullPolicy.Missing"/>.</value>
    public ContainerPullPolicy PullPolicy { get; set; } = ContainerPullPolicy.Missing;

    /// <summary>
    /// Gets or sets whether a small init process runs as the container's PID 1 (<c>--init</c>): it forwards SIGTERM to the
    /// program and reaps zombies. Without it, a program that runs as PID 1 and installs no SIGTERM handler (a shell script)
    /// ignores SIGTERM and is killed when the grace period ends.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Init { get; set; }

    /// <summary>
    /// Gets or sets the container's network (<c>--network</c>): <c>none</c> by default, so that a trial program can reach neither
    /// the storage nor anything else; set <c>bridge</c> (or <see langword="null"/> for the CLI's default) for programs that download
    /// data. A <c>--network</c> in <see cref="RunArguments"/> also overrides it.
    /// </summary>
    /// <value>The default value is <c>none</c>.</value>
    public string? Network { get; set; } = ContainerExecutorDefaults.Network;

    /// <summary>Gets or sets whether every Linux capability is dropped (<c>--cap-drop=ALL</c>); a <c>--cap-drop</c> or <c>--cap-add</c> in <see cref="RunArguments"/> also overrides it.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool DropCapabilities { get; set; } = true;

    /// <summary>Gets or sets whether the container's processes can never gain privileges (<c>--security-opt=no-new-privileges</c>: setuid programs do not elevate).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool NoNewPrivileges { get; set; } = true;

    /// <summary>Gets or sets the most processes and threads the container may run (<c>--pids-limit</c>): a fork bomb stops there; <see langword="null"/> for the CLI's default.</summary>
    /// <value>The default value is 4096.</value>
    public int? PidsLimit { get; set; } = ContainerExecutorDefaults.PidsLimit;

    /// <summary>
    /// Gets or sets the user the trial program runs as (<c>--user</c>, <c>uid[:gid]</c> or a name the image knows). Images should
    /// declare a non-root <c>USER</c>; set this for those that do not (the artifacts directory must be writable by it).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the image's user.</value>
    public string? User { get; set; }

    /// <summary>Gets or sets the prefix of container names, <c>&lt;prefix&gt;-&lt;study&gt;-&lt;trial&gt;-&lt;random&gt;</c>.</summary>
    /// <value>The default value is <c>hpo</c>.</value>
    public string NamePrefix { get; set; } = ContainerExecutorDefaults.NamePrefix;

    /// <summary>
    /// Gets or sets how long a trial container that the worker stops has, after SIGTERM, before it is killed (<c>stop -t</c>,
    /// rounded up to whole seconds).
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan GracePeriod { get; set; } = ChildProcessExecutorDefaults.GracePeriod;

    /// <summary>Gets or sets how many characters of the end of the log are kept with the trial (the <c>hpo.log_tail</c> user attribute).</summary>
    /// <value>The default value is 4096.</value>
    public int LogTailLength { get; set; } = ChildProcessExecutorDefaults.LogTailLength;

    /// <summary>Gets or sets the logger factory for the executor's own diagnostics.</summary>
    /// <value>The default value is <see langword="null"/>: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    [GeneratedRegex("^[0-9]+[bkmgBKMG]?$", RegexOptions.CultureInvariant)]
    private static partial Regex MemoryPattern();

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    // The executor keeps its own copy, taken at construction (the lists too): changing the caller's object afterwards has no effect.
    internal ContainerExecutorOptions Clone()
    {
        ContainerExecutorOptions o = this;
        var copy = new ContainerExecutorOptions
        {
            Cli = o.Cli,
            Image = o.Image,
            Command = [.. o.Command],
            ArtifactsRoot = o.ArtifactsRoot,
            ContainerArtifactsPath = o.ContainerArtifactsPath,
            WorkingDirectory = o.WorkingDirectory,
            Cpus = o.Cpus,
            Memory = o.Memory,
            Gpus = o.Gpus,
            PullPolicy = o.PullPolicy,
            Init = o.Init,
            NamePrefix = o.NamePrefix,
            GracePeriod = o.GracePeriod,
            LogTailLength = o.LogTailLength,
            Network = o.Network,
            DropCapabilities = o.DropCapabilities,
            NoNewPrivileges = o.NoNewPrivileges,
            PidsLimit = o.PidsLimit,
            User = o.User,
            LoggerFactory = o.LoggerFactory,
        };
        foreach (string a in o.GlobalArguments)
        {
            copy.GlobalArguments.Add(a);
        }

        foreach (string a in o.RunArguments)
        {
            copy.RunArguments.Add(a);
        }

        foreach (string d in o.Devices)
        {
            copy.Devices.Add(d);
        }

        foreach (ContainerMount m in o.Mounts)
        {
            copy.Mounts.Add(m);
        }

        foreach (KeyValuePair<string, string> e in o.Environment)
        {
            copy.Environment.Add(e);
        }

        return copy;
    }
    internal void Validate()

    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Cli))
        {
            problems.Add("Cli must name the container CLI (podman or docker, or a path to it), but it is empty.");
        }

        if (string.IsNullOrWhiteSpace(Image))
        {
            problems.Add("Image must name the trial image, but it is empty.");
        }
        else if (Image.StartsWith('-') || Image.Any(char.IsWhiteSpace))
        {
            problems.Add($"Image must be an image name without white space that does not start with '-', but got \"{Image}\".");
        }

        CheckList(problems, nameof(GlobalArguments), GlobalArguments);
        CheckList(problems, nameof(RunArguments), RunArguments);
        CheckList(problems, nameof(Devices), Devices);
        if (Command is null)
        {
            problems.Add("Command cannot be null; leave it empty to run the image's own command.");
        }
        else
        {
            CommandTemplate.Validate(Command, problems);
        }

        if (Environment.Any(e => string.IsNullOrEmpty(e.Key) || e.Key.Contains('=', StringComparison.Ordinal) || e.Value is null))
        {
            problems.Add("Environment variable names cannot be empty or hold '=', and values cannot be null.");
        }

        if (string.IsNullOrEmpty(ContainerArtifactsPath) || !ContainerArtifactsPath.StartsWith('/') || ContainerArtifactsPath.Length < 2 || IsUnsafeMountPath(ContainerArtifactsPath))
        {
            problems.Add($"ContainerArtifactsPath must be an absolute path other than '/' without ':' or ',', but got \"{ContainerArtifactsPath}\".");
        }

        foreach (ContainerMount? mount in Mounts)
        {
            if (mount is null)
            {
                problems.Add("Mounts cannot hold null elements.");
            }
            else if (string.IsNullOrWhiteSpace(mount.Source) || IsUnsafeMountPath(mount.Source) || string.IsNullOrWhiteSpace(mount.Target) || !mount.Target.StartsWith('/') || IsUnsafeMountPath(mount.Target))
            {
                problems.Add($"Mount \"{mount.Source}\" -> \"{mount.Target}\": the source must be a path or volume name and the target an absolute path, neither empty nor holding ':' or ','.");
            }
            else if (mount.Target.TrimEnd('/') == ContainerArtifactsPath.TrimEnd('/'))
            {
                problems.Add($"Mount \"{mount.Source}\" -> \"{mount.Target}\": the target is the artifacts path, which the executor mounts itself.");
            }
        }

        if (Cpus is double cpus && (!double.IsFinite(cpus) || cpus <= 0))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Cpus must be a positive number, but got {cpus}."));
        }

        if (Memory is not null && !MemoryPattern().IsMatch(Memory))
        {
            problems.Add($"Memory must be a number of bytes with an optional unit b, k, m or g (\"512m\", \"4g\"), but got \"{Memory}\".");
        }

        if (Gpus is not null && (Gpus.Length == 0 || Gpus.StartsWith('-') || Gpus.Any(char.IsWhiteSpace)))
        {
            problems.Add($"Gpus must be a GPU request such as \"all\", \"2\" or \"device=0,1\", but got \"{Gpus}\".");
        }

        if (!Enum.IsDefined(PullPolicy))
        {
            problems.Add($"PullPolicy must be Missing, Never or Always, but got {(int)PullPolicy}.");
        }

        if (ArtifactsRoot is not null && (string.IsNullOrWhiteSpace(ArtifactsRoot) || IsUnsafeMountPath(ArtifactsRoot)))
        {
            problems.Add($"ArtifactsRoot must be a path without ':' or ',' (it is mounted into the container), but got \"{ArtifactsRoot}\".");
        }

        if (Network is not null && (Network.Length == 0 || Network.StartsWith('-') || Network.Any(char.IsWhiteSpace)))
        {
            problems.Add($"Network must name a network (\"none\", \"bridge\", \"host\", a network's name) or be null, but got \"{Network}\".");
        }

        if (PidsLimit is int pids && pids < 1)
        {
            problems.Add($"PidsLimit must be at least 1 or null, but got {pids}.");
        }

        if (User is not null && (User.Length == 0 || User.StartsWith('-') || User.Any(char.IsWhiteSpace)))
        {
            problems.Add($"User must be uid[:gid] or a user name, or null, but got \"{User}\".");
        }

        if (string.IsNullOrEmpty(NamePrefix) || NamePrefix.Length > 20 || !NamePattern().IsMatch(NamePrefix))
        {
            problems.Add($"NamePrefix must be 1 to 20 letters, digits, '_', '.' or '-', starting with a letter or digit, but got \"{NamePrefix}\".");
        }

        if (GracePeriod < TimeSpan.Zero || GracePeriod > TimeSpan.FromHours(1))
        {
            problems.Add($"GracePeriod must be between 0 and 1 hour, but got {GracePeriod}.");
        }

        if (LogTailLength is < 0 or > 1024 * 1024)
        {
            problems.Add($"LogTailLength must be between 0 and 1048576 characters, but got {LogTailLength}.");
        }

        OptionsValidation.ThrowIfAny(nameof(ContainerExecutorOptions), problems);
    }

    private static bool IsUnsafeMountPath(string path) => path.Contains(':', StringComparison.Ordinal) || path.Contains(',', StringComparison.Ordinal);

    private static void CheckList(List<string> problems, string name, IList<string> list)
    {
        if (list.Any(a => a is null))
        {
            problems.Add($"{name} cannot hold null elements.");
        }
    }
}

/// <summary>The defaults of <see cref="ContainerExecutorOptions"/>.</summary>
internal static class ContainerExecutorDefaults
{
    public const string Cli = "podman";

    public const string ContainerArtifactsPath = "/hpo/artifacts";

    public const string NamePrefix = "hpo";

    public const string Network = "none";

    public const int PidsLimit = 4096;
}
