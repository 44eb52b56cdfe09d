using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hpo.Execution.ChildProcess;

/// <summary>
/// Runs each trial as a child process that speaks the trial protocol (see the package README): parameters in <c>HPO_*</c>
/// environment variables, <c>hpo:report</c> and <c>hpo:result</c> lines on standard output.
/// </summary>
/// <remarks>
/// <para>
/// Each report is forwarded to the trial (<see cref="Trials.ITrial.ReportAsync"/>) and followed by <see cref="Trials.ITrial.ShouldPruneAsync"/>.
/// When the trial is pruned, or the token is cancelled (the study is cancelled or the trial timed out), the executor sends SIGTERM
/// to the program and its descendants, kills the process tree after <see cref="ChildProcessExecutorOptions.GracePeriod"/>, and that
/// decision sets the outcome whatever the exit code. Otherwise exit code 0 with a final value is completed, and a non-zero exit,
/// a crash or a missing final value is failed with the reason and the end of the log.
/// </para>
/// <para>
/// Every other output line, on standard output or standard error, is the trial's log: the whole goes to <c>trial.log</c> in the
/// trial's artifacts directory and the end to the <c>hpo.log_tail</c> user attribute. On Windows there is no SIGTERM: a stopped
/// trial is killed at once. Thread-safe: trials may run concurrently.
/// </para>
/// </remarks>
public sealed class ChildProcessExecutor : ITrialExecutor
{
    private readonly TrialProgramRunner runner;

    /// <summary>Initializes a new instance of the <see cref="ChildProcessExecutor"/> class.</summary>
    /// <param name="options">How to start trial programs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ChildProcessExecutor(ChildProcessExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var host = new Host([.. options.Command], options.WorkingDirectory, [.. options.InheritedVariables], [.. options.Environment], options.GracePeriod, (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ChildProcessExecutor>());
        runner = new TrialProgramRunner(host, options.ArtifactsRoot ?? ChildProcessExecutorDefaults.ArtifactsRoot, options.LogTailLength, host.Logger);
    }

    /// <inheritdoc/>
    public ValueTask<TrialOutcome> ExecuteAsync(TrialRequest request, CancellationToken cancellationToken) => runner.ExecuteAsync(request, cancellationToken);

    /// <summary>Stops every trial program still running (SIGTERM, then the process tree is killed after the grace period).</summary>
    /// <returns>A task that completes when they are gone.</returns>
    public ValueTask DisposeAsync() => runner.DisposeAsync();

    /// <summary>Starts the command as a child process; stops it with its process tree.</summary>
    private sealed class Host(string[] command, string? workingDirectory, string[] inherited, KeyValuePair<string, string?>[] environment, TimeSpan gracePeriod, ILogger logger) : ITrialProgramHost
    {
        public ILogger Logger { get; } = logger;

        public string ExecutorName => "child-process executor";

        public ProcessStartInfo CreateStartInfo(TrialFiles files)
        {
            List<string> expanded = files.Expand(command, files.ArtifactsDirectory, Path.DirectorySeparatorChar);
            var start = new ProcessStartInfo { FileName = expanded[0], WorkingDirectory = workingDirectory ?? string.Empty };
            foreach (string part in expanded.Skip(1))
            {
                start.ArgumentList.Add(part);
            }

            // An explicit environment: the allowed part of this process's, then the user's, then the protocol's.
            StringComparison names = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            foreach (string key in start.Environment.Keys.ToList())
            {
                if (!inherited.Any(n => n.EndsWith('*') ? key.StartsWith(n[..^1], names) : key.Equals(n, names)))
                {
                    start.Environment.Remove(key);
                }
            }

            foreach ((string key, string? value) in environment.Concat(files.ProtocolEnvironment(files.ArtifactsDirectory, Path.DirectorySeparatorChar)))
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

        public string DescribeExit(int exitCode) => TrialProgramRunner.DescribeExit(exitCode);

        /// <summary>SIGTERM to the program and its descendants, then, after the grace period, kills whatever is left of the tree.</summary>
        public async Task StopAsync(Process process, TrialFiles files)
        {
            List<(int Pid, long Start)> tree;
            try
            {
                if (process.HasExited)
                {
                    return;
                }

                tree = ProcessTree.Snapshot(process.Id);
            }
            catch (InvalidOperationException)
            {
                return;
            }

            ProcessTree.Terminate(tree);
            using var grace = new CancellationTokenSource(OperatingSystem.IsWindows() ? TimeSpan.Zero : gracePeriod);
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Logger.KillingAfterGracePeriod(process.Id);
            }

            // Descendants that ignored SIGTERM may outlive the program: kill the whole snapshot either way.
            ProcessTree.Kill(process, tree);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
