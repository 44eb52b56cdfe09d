using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Hpo.Execution.ChildProcess;
using Hpo.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hpo.Execution.Container;

/// <summary>
/// Runs each trial in a container of the user's image, with <c>podman run</c> or <c>docker run</c>; the program in the image
/// speaks the trial protocol (see the package README) exactly as under the <see cref="ChildProcessExecutor"/>.
/// </summary>
/// <remarks>
/// <para>
/// The container gets the protocol's <c>HPO_*</c> variables (passed by name with <c>--env</c>, so values never appear on a
/// command line), the trial's artifacts directory mounted read-write at <see cref="ContainerExecutorOptions.ContainerArtifactsPath"/>
/// (with <c>parameters.json</c> and <c>search-space.json</c> in it), the extra mounts, CPU and memory limits, the GPU request and
/// the pull policy. It runs with <c>--rm</c> under a name made of the study and the trial number
/// (<c>hpo-&lt;study&gt;-&lt;trial&gt;-&lt;random&gt;</c>) and the labels <c>hpo.study</c> and <c>hpo.trial</c>.
/// </para>
/// <para>
/// Standard output and error of the container are read as the protocol and the log, as for a child process. When the worker
/// stops a trial (a prune decision, a timeout, a cancellation, disposal) the executor runs <c>&lt;cli&gt; stop -t &lt;grace&gt;
/// &lt;name&gt;</c>: the engine sends SIGTERM and kills the container after the grace period; a container the CLI failed to stop
/// (it was still being created) is removed with <c>rm -f</c>. Exit code 125 means the CLI itself failed (an unknown image under
/// <see cref="ContainerPullPolicy.Never"/>, a bad option): the trial fails with the CLI's message in its log. Thread-safe.
/// </para>
/// </remarks>
public sealed class ContainerExecutor : ITrialExecutor
{
    private readonly TrialProgramRunner runner;

    /// <summary>Initializes a new instance of the <see cref="ContainerExecutor"/> class.</summary>
    /// <param name="options">The CLI, the image and how to run it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ContainerExecutor(ContainerExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        var host = new Host(options, (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ContainerExecutor>());
        runner = new TrialProgramRunner(host, options.ArtifactsRoot ?? ChildProcessExecutorDefaults.ArtifactsRoot, options.LogTailLength, host.Logger);
    }

    /// <inheritdoc/>
    public ValueTask<TrialOutcome> ExecuteAsync(TrialRequest request, CancellationToken cancellationToken) => runner.ExecuteAsync(request, cancellationToken);

    /// <summary>Stops every trial container still running (<c>stop -t &lt;grace&gt;</c>) and waits until they are gone.</summary>
    /// <returns>A task that completes when they are gone.</returns>
    public ValueTask DisposeAsync() => runner.DisposeAsync();

    /// <summary>Builds the <c>run</c> command line of a trial (for tests and diagnostics).</summary>
    internal static List<string> RunArguments(ContainerExecutorOptions options, TrialFiles files, string name)
    {
        string inside = options.ContainerArtifactsPath.TrimEnd('/');
        List<string> arguments =
        [
            .. options.GlobalArguments,
            "run", "--rm", "--name", name,
            "--label", "hpo.study=" + files.Trial.StudyName,
            "--label", "hpo.trial=" + files.Trial.Number.ToString(CultureInfo.InvariantCulture),
            "--pull=" + options.PullPolicy.ToString().ToLowerInvariant(),
        ];
        if (options.Init)
        {
            arguments.Add("--init");
        }

        if (options.Cpus is double cpus)
        {
            arguments.Add("--cpus=" + cpus.ToString("R", CultureInfo.InvariantCulture));
        }

        if (options.Memory is string memory)
        {
            arguments.Add("--memory=" + memory);
        }

        if (options.Gpus is string gpus)
        {
            arguments.AddRange(["--gpus", gpus]);
        }

        foreach (string device in options.Devices)
        {
            arguments.AddRange(["--device", device]);
        }

        // Hardening defaults, each overridable by its option or by the same flag in RunArguments.
        if (options.Network is string network && !Mentions(options.RunArguments, "--network", "--net"))
        {
            arguments.Add("--network=" + network);
        }

        if (options.DropCapabilities && !Mentions(options.RunArguments, "--cap-drop", "--cap-add", "--privileged"))
        {
            arguments.Add("--cap-drop=ALL");
        }

        if (options.NoNewPrivileges && !Mentions(options.RunArguments, "--privileged"))
        {
            arguments.Add("--security-opt=no-new-privileges");
        }

        if (options.PidsLimit is int pids && !Mentions(options.RunArguments, "--pids-limit"))
        {
            arguments.Add("--pids-limit=" + pids.ToString(CultureInfo.InvariantCulture));
        }

        if (options.User is string user && !Mentions(options.RunArguments, "--user", "-u"))
        {
            arguments.Add("--user=" + user);
        }

        if (options.WorkingDirectory is string workdir)
        {
            arguments.AddRange(["--workdir", workdir]);
        }

        arguments.AddRange(["--volume", files.ArtifactsDirectory + ":" + inside + ":rw"]);
        foreach (ContainerMount mount in options.Mounts)
        {
            arguments.AddRange(["--volume", mount.Source + ":" + mount.Target + (mount.ReadOnly ? ":ro" : ":rw")]);
        }

        foreach (KeyValuePair<string, string?> variable in Environment(options, files).Where(v => v.Value is not null))
        {
            arguments.AddRange(["--env", variable.Key]);
        }

        arguments.AddRange(options.RunArguments);
        arguments.Add(options.Image);
        arguments.AddRange(files.Expand(options.Command, inside, '/'));
        return arguments;
    }

    /// <summary>Determines whether extra arguments already set a flag (<c>--network host</c> or <c>--network=host</c>).</summary>
    private static bool Mentions(IList<string> arguments, params string[] flags) =>
        arguments.Any(a => flags.Any(f => a == f || a.StartsWith(f + "=", StringComparison.Ordinal)));

    /// <summary>The container's variables: the user's, then the protocol's with the container's paths (a null value: absent).</summary>
    private static IEnumerable<KeyValuePair<string, string?>> Environment(ContainerExecutorOptions options, TrialFiles files) =>
        options.Environment.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value))
            .Concat(files.ProtocolEnvironment(options.ContainerArtifactsPath.TrimEnd('/'), '/'))
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .Select(g => g.Last());

    /// <summary>A container name: the prefix, the study, the trial number and a random part (a retried or a second worker's run never collides).</summary>
    internal static string ContainerName(string prefix, string study, int trial)
    {
        string s = TrialProgramRunner.Sanitize(study).TrimStart('_', '.', '-');
        if (s.Length > 40)
        {
            s = s[..40];
        }

        return string.Create(CultureInfo.InvariantCulture, $"{prefix}-{(s.Length == 0 ? "study" : s)}-{trial}-{Hex.Lower(RandomNumberGenerator.GetBytes(4))}");
    }

    /// <summary>Starts the trial with <c>&lt;cli&gt; run</c> and stops it with <c>&lt;cli&gt; stop</c>.</summary>
    private sealed class Host(ContainerExecutorOptions source, ILogger logger) : ITrialProgramHost
    {
        private static readonly TimeSpan ClientExit = TimeSpan.FromSeconds(10);
        private readonly ContainerExecutorOptions options = source;

        public ILogger Logger { get; } = logger;

        public string ExecutorName => "container executor";

        public ProcessStartInfo CreateStartInfo(TrialFiles files)
        {
            files.RunName = ContainerName(options.NamePrefix, files.Trial.StudyName, files.Trial.Number);
            var start = new ProcessStartInfo { FileName = options.Cli };
            foreach (string argument in RunArguments(options, files, files.RunName))
            {
                start.ArgumentList.Add(argument);
            }

            // Values go through the CLI's own environment: "--env NAME" copies them into the container.
            foreach ((string key, string? value) in Environment(options, files))
            {
                if (value is null)
                {
                    start.Environment.Remove(key);
                }
                else
                {
                    start.Environment[key] = value;
                }
            }

            return start;
        }

        public string DescribeExit(int exitCode) => exitCode switch
        {
            125 => "code 125 (the container CLI failed: the container could not be created or run; its message is in the log)",
            126 => "code 126 (the container's command could not be invoked)",
            127 => "code 127 (the container's command was not found in the image)",
            137 => "code 137 (killed by signal 9: out of memory, or killed from outside?)",
            _ => TrialProgramRunner.DescribeExit(exitCode),
        };

        public async Task StopAsync(Process client, TrialFiles files)
        {
            string name = files.RunName!;
            string seconds = Math.Ceiling(options.GracePeriod.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            bool stopped = false;
            for (int attempt = 0; attempt < 3 && !stopped && !client.HasExited; attempt++)
            {
                if (attempt > 0)
                {
                    // "No such container": the CLI may still be creating it.
                    await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                }

                stopped = await RunCliAsync(["stop", "-t", seconds, name], options.GracePeriod + TimeSpan.FromSeconds(30)).ConfigureAwait(false) == 0;
            }

            using var wait = new CancellationTokenSource(ClientExit);
            bool clientExited = true;
            try
            {
                await client.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                clientExited = false;
                Logger.ContainerCliDidNotExit(name);
                ProcessTree.Kill(client, ProcessTree.Snapshot(client.Id));
                await client.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            if (!stopped || !clientExited)
            {
                // A container created while the CLI was being stopped, or left behind by a killed CLI.
                await RunCliAsync(["rm", "-f", name], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
        }

        /// <summary>Runs one CLI command (its output is discarded); returns its exit code, or -1 when it could not run or took too long.</summary>
        private async Task<int> RunCliAsync(string[] command, TimeSpan limit)
        {
            var start = new ProcessStartInfo { FileName = options.Cli, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (string argument in options.GlobalArguments.Concat(command))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                Logger.ContainerCliNotRun(e, options.Cli);
                return -1;
            }

            process.StandardInput.Close();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                await Task.WhenAll(output, error).WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ProcessTree.Kill(process, ProcessTree.Snapshot(process.Id));
                Logger.ContainerCommandTimedOut(string.Join(' ', command), limit);
                return -1;
            }

            if (process.ExitCode != 0 && Logger.IsEnabled(LogLevel.Debug))
            {
                Logger.ContainerCommandFailed(string.Join(' ', command), process.ExitCode, (await error.ConfigureAwait(false)).Trim());
            }

            return process.ExitCode;
        }
    }
}
