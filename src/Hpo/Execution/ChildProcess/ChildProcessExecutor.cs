using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hpo.Internal;
using Hpo.SearchSpaces;
using Hpo.Trials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hpo.Execution.ChildProcess;

/// <summary>
/// Runs each trial as a child process that speaks the trial protocol (see the package README): parameters in <c>HPO_*</c>
/// environment variables, <c>hpo:report</c> and <c>hpo:result</c> lines on standard output.
/// </summary>
/// <remarks>
/// <para>
/// Each report is forwarded to the trial (<see cref="ITrial.ReportAsync"/>) and followed by <see cref="ITrial.ShouldPruneAsync"/>.
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
    private const int MaxLineLength = 64 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private readonly string[] command;
    private readonly string? workingDirectory;
    private readonly KeyValuePair<string, string?>[] environment;
    private readonly TimeSpan gracePeriod;
    private readonly string artifactsRoot;
    private readonly int logTailLength;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<Task<TrialOutcome>, byte> running = new();
    private readonly CancellationTokenSource disposing = new();
    private volatile bool disposed;

    /// <summary>Initializes a new instance of the <see cref="ChildProcessExecutor"/> class.</summary>
    /// <param name="options">How to start trial programs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ChildProcessExecutor(ChildProcessExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        command = [.. options.Command];
        workingDirectory = options.WorkingDirectory;
        environment = [.. options.Environment];
        gracePeriod = options.GracePeriod;
        artifactsRoot = Path.GetFullPath(options.ArtifactsRoot ?? ChildProcessExecutorDefaults.ArtifactsRoot);
        logTailLength = options.LogTailLength;
        logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ChildProcessExecutor>();
    }

    /// <inheritdoc/>
    public async ValueTask<TrialOutcome> ExecuteAsync(TrialRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (disposed)
        {
            return TrialOutcome.Failed("The child-process executor was disposed before the trial started.", new ObjectDisposedException(nameof(ChildProcessExecutor)));
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
            return TrialOutcome.Failed($"The child-process executor failed: {e.GetType().Name}: {e.Message}", e);
        }
        finally
        {
            running.TryRemove(run, out _);
        }
    }

    /// <summary>Stops every trial program still running (SIGTERM, then the process tree is killed after the grace period).</summary>
    /// <returns>A task that completes when they are gone.</returns>
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

    private static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return text.Length == 0 || text.ToString() is "." or ".." ? "study" : text.ToString();
    }

    /// <summary>Passes a JSON document inline when it is small enough; large ones go through their file only (and an inherited value is removed).</summary>
    private static void SetInline(ProcessStartInfo start, string variable, string json)
    {
        if (json.Length <= TrialProtocol.MaxInlineJsonLength)
        {
            start.Environment[variable] = json;
        }
        else
        {
            start.Environment.Remove(variable);
        }
    }

    private static string Describe(int exitCode) =>
        !OperatingSystem.IsWindows() && exitCode > 128 && exitCode < 160
            ? Format.Invariant($"code {exitCode} (killed by signal {exitCode - 128}?)")
            : Format.Invariant($"code {exitCode}");

    private static string FormatParameter(object value) => value switch
    {
        double d => TrialProtocol.FormatNumber(d),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private async Task<TrialOutcome> RunAsync(ITrial trial, CancellationToken cancellationToken)
    {
        string artifacts = Path.Combine(artifactsRoot, Sanitize(trial.StudyName), "trial-" + trial.Number.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(artifacts);
        string parametersJson = TrialProtocol.WriteParameters(trial.Parameters);
        string spaceJson = trial.SearchSpace.ToJson();
        string parametersFile = Path.Combine(artifacts, "parameters.json");
        string spaceFile = Path.Combine(artifacts, "search-space.json");
        await File.WriteAllTextAsync(parametersFile, parametersJson, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(spaceFile, spaceJson, cancellationToken).ConfigureAwait(false);
        await TrySetAttributeAsync(trial, TrialProtocol.ArtifactsDirectoryAttribute, artifacts).ConfigureAwait(false);

        string? Resolve(string name) => name switch
        {
            "trial_number" => trial.Number.ToString(CultureInfo.InvariantCulture),
            "study_name" => trial.StudyName,
            "artifacts_dir" => artifacts,
            "parameters_file" => parametersFile,
            "search_space_file" => spaceFile,
            _ when name.StartsWith("param:", StringComparison.Ordinal) => trial.Parameters.TryGetValue(name[6..], out object? v) ? FormatParameter(v)
                : trial.SearchSpace.Contains(name[6..]) ? string.Empty : null,
            _ => null,
        };

        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        try
        {
            start.FileName = CommandTemplate.Expand(command[0], Resolve);
            foreach (string part in command.Skip(1))
            {
                start.ArgumentList.Add(CommandTemplate.Expand(part, Resolve));
            }
        }
        catch (FormatException e)
        {
            return TrialOutcome.Failed($"The command could not be built for trial {trial.Number}: {e.Message}", e);
        }

        foreach ((string key, string? value) in environment)
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

        start.Environment[TrialProtocol.VersionVariable] = TrialProtocol.Version.ToString(CultureInfo.InvariantCulture);
        start.Environment[TrialProtocol.TrialNumberVariable] = trial.Number.ToString(CultureInfo.InvariantCulture);
        start.Environment[TrialProtocol.StudyNameVariable] = trial.StudyName;
        start.Environment[TrialProtocol.ArtifactsDirectoryVariable] = artifacts;
        start.Environment[TrialProtocol.ParametersFileVariable] = parametersFile;
        start.Environment[TrialProtocol.SearchSpaceFileVariable] = spaceFile;
        SetInline(start, TrialProtocol.ParametersVariable, parametersJson);
        SetInline(start, TrialProtocol.SearchSpaceVariable, spaceJson);

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
            return await SuperviseAsync(trial, process, log, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TrialOutcome> SuperviseAsync(ITrial trial, Process process, TrialLog log, CancellationToken cancellationToken)
    {
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
                logger.LogDebug("Trial {Number}: stopping the trial program ({Decision}).", trial.Number, session.Pruned ? "pruned" : session.Error is not null ? "reporting failed" : "cancelled");
            }

            await StopAsync(process).ConfigureAwait(false);
        }

        // A descendant that outlives the program may hold the pipes open: read what is left for a while, then give up.
        drain.CancelAfter(DrainTimeout);
        try
        {
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            logger.LogWarning("Trial {Number}: the output stayed open after the trial program exited (a descendant process still holds it); it is no longer read.", trial.Number);
        }

        int exitCode = process.ExitCode;
        string tail = log.Tail;
        await TrySetAttributeAsync(trial, TrialProtocol.ExitCodeAttribute, exitCode.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        await TrySetAttributeAsync(trial, TrialProtocol.LogTailAttribute, tail).ConfigureAwait(false);

        string LastOutput()
        {
            const int Shown = 1000;
            string t = tail.Length > Shown ? "…" + tail[^Shown..] : tail;
            return t.Length == 0 ? " It printed nothing else." : " Last output:" + System.Environment.NewLine + t.TrimEnd();
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
            return TrialOutcome.Failed("Stopped: the child-process executor was disposed while the trial ran.", new ObjectDisposedException(nameof(ChildProcessExecutor)));
        }

        if (session.Error is { } error)
        {
            return TrialOutcome.Failed($"Forwarding the trial's reports failed: {error.GetType().Name}: {error.Message}", error);
        }

        if (exitCode != 0)
        {
            return TrialOutcome.Failed($"The trial program exited with {Describe(exitCode)}.{LastOutput()}");
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
                        logger.LogWarning("Trial {Number}: ignored a malformed protocol line: {Error}.", session.Trial.Number, parsed.Error);
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

    /// <summary>SIGTERM to the program and its descendants, then, after the grace period, kills whatever is left of the tree.</summary>
    private async Task StopAsync(Process process)
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
            logger.LogDebug("The trial program {Pid} did not exit within the grace period; killing its process tree.", process.Id);
        }

        // Descendants that ignored SIGTERM may outlive the program: kill the whole snapshot either way.
        ProcessTree.Kill(process, tree);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
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
            logger.LogDebug(e, "Trial {Number}: could not set the attribute {Key}.", trial.Number, key);
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
