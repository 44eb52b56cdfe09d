using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hpo.Internal;
using Hpo.Trials;
using Microsoft.Extensions.Logging;

namespace Hpo.Execution.ChildProcess;

/// <summary>
/// Runs trial programs that speak the trial protocol, whatever starts them (<see cref="ITrialProgramHost"/>): writes the
/// trial's files, reads its output (protocol lines, log), forwards reports and prune decisions, stops it when the worker
/// decides so, and turns what happened into an outcome. Shared by the child-process and the container executors.
/// </summary>
internal sealed class TrialProgramRunner
{
    private const int MaxLineLength = 64 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private readonly ITrialProgramHost host;
    private readonly string artifactsRoot;
    private readonly int logTailLength;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<Task<TrialOutcome>, byte> running = new();
    private readonly CancellationTokenSource disposing = new();
    private volatile bool disposed;

    public TrialProgramRunner(ITrialProgramHost host, string artifactsRoot, int logTailLength, ILogger logger)
    {
        this.host = host;
        this.artifactsRoot = Path.GetFullPath(artifactsRoot);
        this.logTailLength = logTailLength;
        this.logger = logger;
    }

    /// <summary>Gets the directory of a trial's artifacts: <c>&lt;root&gt;/&lt;study&gt;/trial-&lt;number&gt;</c>.</summary>
    public string ArtifactsDirectory(ITrial trial) =>
        Path.Combine(artifactsRoot, Sanitize(trial.StudyName), "trial-" + trial.Number.ToString(CultureInfo.InvariantCulture));

    /// <summary>Replaces every character but ASCII letters, digits, '-', '_' and '.' by '_' (a file or container name part).</summary>
    public static string Sanitize(string name) => Models.ArtifactPath.StudyFolder(name);

    public async ValueTask<TrialOutcome> ExecuteAsync(TrialRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (disposed)
        {
            return TrialOutcome.Failed($"The {host.ExecutorName} was disposed before the trial started.", new ObjectDisposedException(host.ExecutorName));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return TrialOutcome.Failed("Cancelled before the trial program started.", new OperationCanceledException(cancellationToken));
        }

        Task<TrialOutcome> run = RunAsync(request.Trial, cancellationToken);
        running.TryAdd(run, 0);
        try
        {
            return await run.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return TrialOutcome.Failed($"The {host.ExecutorName} failed: {e.GetType().Name}: {e.Message}", e);
        }
        finally
        {
            running.TryRemove(run, out _);
        }
    }

    /// <summary>Stops every trial program still running and waits until they are gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await disposing.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(running.Keys).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Each failure is reported to its own caller as a failed outcome.
        }
    }

    private async Task<TrialOutcome> RunAsync(ITrial trial, CancellationToken cancellationToken)
    {
        string artifacts = ArtifactsDirectory(trial);
        Directory.CreateDirectory(artifacts);
        var files = new TrialFiles(trial, artifacts, TrialProtocol.WriteParameters(trial.Parameters), trial.SearchSpace.ToJson());
        await File.WriteAllTextAsync(Path.Combine(artifacts, TrialFiles.ParametersFileName), files.ParametersJson, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(artifacts, TrialFiles.SearchSpaceFileName), files.SearchSpaceJson, cancellationToken).ConfigureAwait(false);
        await TrySetAttributeAsync(trial, TrialProtocol.ArtifactsDirectoryAttribute, artifacts).ConfigureAwait(false);

        ProcessStartInfo start;
        try
        {
            start = host.CreateStartInfo(files);
        }
        catch (FormatException e)
        {
            return TrialOutcome.Failed($"The command could not be built for trial {trial.Number}: {e.Message}", e);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = new UTF8Encoding(false);
        start.StandardErrorEncoding = new UTF8Encoding(false);

        var log = new TrialLog(Path.Combine(artifacts, TrialProtocol.LogFileName), logTailLength);
        await using (log.ConfigureAwait(false))
        {
            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
            {
                return TrialOutcome.Failed($"The trial program \"{start.FileName}\" could not be started: {e.Message}", e);
            }

            process.StandardInput.Close();
            return await SuperviseAsync(files, process, log, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TrialOutcome> SuperviseAsync(TrialFiles files, Process process, TrialLog log, CancellationToken cancellationToken)
    {
        ITrial trial = files.Trial;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposing.Token);
        using var drain = new CancellationTokenSource();
        var session = new Session(trial, log, stop);
        Task stdout = ReadStandardOutputAsync(process.StandardOutput, session, cancellationToken, drain.Token);
        Task stderr = ReadLogAsync(process.StandardError, log, drain.Token);

        try
        {
            await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.StoppingTrialProgram(trial.Number, session.Pruned ? "pruned" : session.Error is not null ? "reporting failed" : "cancelled");
            }

            await host.StopAsync(process, files).ConfigureAwait(false);
        }

        // A descendant that outlives the program may hold the pipes open: read what is left for a while, then give up.
        drain.CancelAfter(DrainTimeout);
        try
        {
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            logger.OutputStayedOpen(trial.Number);
        }

        int exitCode = process.ExitCode;
        string tail = log.Tail;
        await TrySetAttributeAsync(trial, TrialProtocol.ExitCodeAttribute, exitCode.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        await TrySetAttributeAsync(trial, TrialProtocol.LogTailAttribute, tail).ConfigureAwait(false);

        string LastOutput()
        {
            const int Shown = 1000;
            string t = tail.Length > Shown ? "…" + tail[^Shown..] : tail;
            return t.Length == 0 ? " It printed nothing else." : " Last output:" + Environment.NewLine + t.TrimEnd();
        }

        if (session.Pruned)
        {
            return TrialOutcome.Pruned(session.LastReported);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return TrialOutcome.Failed("Stopped: the trial was cancelled (the study was cancelled or the trial timed out).", new OperationCanceledException(cancellationToken));
        }

        if (disposing.IsCancellationRequested)
        {
            return TrialOutcome.Failed($"Stopped: the {host.ExecutorName} was disposed while the trial ran.", new ObjectDisposedException(host.ExecutorName));
        }

        if (session.Error is { } error)
        {
            return TrialOutcome.Failed($"Forwarding the trial's reports failed: {error.GetType().Name}: {error.Message}", error);
        }

        if (exitCode != 0)
        {
            return TrialOutcome.Failed($"The trial program exited with {host.DescribeExit(exitCode)}.{LastOutput()}");
        }

        if (session.SelfPruned)
        {
            return TrialOutcome.Pruned(session.SelfPrunedValue ?? session.LastReported);
        }

        if (session.Result is double result)
        {
            return TrialOutcome.Completed(result);
        }

        string malformed = session.FirstMalformed is { } m ? $" (a malformed protocol line was ignored: {m})" : string.Empty;
        return TrialOutcome.Failed($"The trial program exited with code 0 without printing a final value ('hpo:result <value>'){malformed}.{LastOutput()}");
    }

    /// <summary>Describes an exit code, naming the signal a shell-style code above 128 stands for.</summary>
    public static string DescribeExit(int exitCode) =>
        !OperatingSystem.IsWindows() && exitCode > 128 && exitCode < 160
            ? Format.Invariant($"code {exitCode} (killed by signal {exitCode - 128}?)")
            : Format.Invariant($"code {exitCode}");

    private async Task ReadStandardOutputAsync(StreamReader reader, Session session, CancellationToken cancellationToken, CancellationToken drain)
    {
        var lines = new LineReader(reader, MaxLineLength);
        while (await lines.ReadLineAsync(drain).ConfigureAwait(false) is (string line, bool overlong))
        {
            ProtocolLine? parsed = overlong ? null : TrialProtocol.Parse(line);
            if (parsed is null)
            {
                session.Log.Append(line);
                continue;
            }

            if (session.Stopping)
            {
                // After a stop decision (or a failed report) nothing the program says changes the outcome.
                session.Log.Append(line);
                continue;
            }

            try
            {
                switch (parsed.Kind)
                {
                    case ProtocolLineKind.Report:
                        session.LastReported = parsed.Value;
                        await session.Trial.ReportAsync(parsed.Step, parsed.Value!.Value, cancellationToken).ConfigureAwait(false);
                        if (await session.Trial.ShouldPruneAsync(cancellationToken).ConfigureAwait(false))
                        {
                            session.Pruned = true;
                            await session.Stop.CancelAsync().ConfigureAwait(false);
                        }

                        break;
                    case ProtocolLineKind.Result:
                        session.Result = parsed.Value;
                        break;
                    case ProtocolLineKind.Pruned:
                        session.SelfPruned = true;
                        session.SelfPrunedValue = parsed.Value;
                        break;
                    case ProtocolLineKind.Attribute:
                        await session.Trial.SetUserAttributeAsync(parsed.Key!, parsed.Text!, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        session.FirstMalformed ??= $"\"{(line.Length > 200 ? line[..200] + "…" : line)}\": {parsed.Error}";
                        session.Log.Append(line);
                        logger.MalformedProtocolLine(session.Trial.Number, parsed.Error);
                        break;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The trial is being stopped; the supervisor decides the outcome.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                session.Error = e;
                await session.Stop.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task ReadLogAsync(StreamReader reader, TrialLog log, CancellationToken drain)
    {
        var lines = new LineReader(reader, MaxLineLength);
        while (await lines.ReadLineAsync(drain).ConfigureAwait(false) is (string line, _))
        {
            log.Append(line);
        }
    }

    private async Task TrySetAttributeAsync(ITrial trial, string key, string value)
    {
        try
        {
            await trial.SetUserAttributeAsync(key, value, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The study may already have finished the trial (a timeout): the attribute is lost, the outcome is not.
            logger.AttributeNotSet(e, trial.Number, key);
        }
    }

    /// <summary>The state of one running trial program, shared by its output reader and its supervisor.</summary>
    private sealed class Session(ITrial trial, TrialLog log, CancellationTokenSource stop)
    {
        public ITrial Trial { get; } = trial;

        public TrialLog Log { get; } = log;

        public CancellationTokenSource Stop { get; } = stop;

        public bool Stopping => Stop.IsCancellationRequested;

        public volatile bool Pruned;

        public volatile bool SelfPruned;

        public double? SelfPrunedValue { get; set; }

        public double? LastReported { get; set; }

        public double? Result { get; set; }

        public string? FirstMalformed { get; set; }

        public Exception? Error { get; set; }
    }
}
