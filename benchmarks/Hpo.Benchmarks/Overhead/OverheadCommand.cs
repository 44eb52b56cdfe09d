using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Data.Sqlite;
using Hpo.Registries;

namespace Hpo.Benchmarks.Overhead;

/// <summary>
/// <c>overhead --storage URL --tuner NAME --trials T --processes P [--warmup W]</c>: measures the framework's throughput on a
/// trivial objective, in this process (memory) or in P worker processes that re-launch this executable
/// (<c>overhead-worker</c>), and prints one JSON object as its last line.
/// </summary>
public static class OverheadCommand
{
    /// <summary>How many trials each study-size window of the report spans.</summary>
    private const int WindowTrials = 500;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>overhead</c>.</param>
    /// <param name="stdout">Where the progress lines and the final JSON line go.</param>
    /// <param name="worker">How to launch a worker process; <see langword="null"/> re-launches this executable.</param>
    /// <returns>0 when every trial completed once and none is duplicated, 1 otherwise.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, WorkerCommand? worker = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var cl = new CommandLine("overhead", args, "storage", "tuner", "trials", "processes", "warmup", "warmup-ms", "mode");
        string url = cl.String("storage");
        string tuner = cl.String("tuner", "random");
        int trials = cl.PositiveInt("trials");
        int processes = cl.PositiveInt("processes", 1);
        int warmup = cl.NonNegativeInt("warmup", Math.Min(trials, 2000));
        var warmupTime = TimeSpan.FromMilliseconds(cl.NonNegativeInt("warmup-ms", 1000));
        bool memory = url is "memory" or "memory://" or ":memory:";
        string mode = cl.String("mode", memory ? "in-process" : "processes");
        if (mode is not ("in-process" or "processes"))
        {
            throw new UsageException($"overhead: --mode must be in-process or processes, but got '{mode}'.");
        }

        if (memory && processes > 1)
        {
            throw new UsageException($"overhead: --processes {processes} needs a storage that processes share, such as sqlite:///overhead.db; an in-memory storage lives inside one process. Use --processes 1 with memory.");
        }

        if (memory && mode == "processes")
        {
            throw new UsageException("overhead: --mode processes needs a storage that processes share; an in-memory storage runs in-process.");
        }

        if (mode == "in-process" && processes > 1)
        {
            throw new UsageException("overhead: --mode in-process runs one worker; use --mode processes for --processes > 1.");
        }

        try
        {
            _ = Registries.TunerRegistry.Default.Create(tuner);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"overhead: {e.Message}", e);
        }

        string? sqlitePath = null;
        if (url.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            sqlitePath = Path.GetFullPath(SqliteStorageProvider.PathOf(url));
            Directory.CreateDirectory(Path.GetDirectoryName(sqlitePath)!);
            foreach (string suffix in (string[])["", "-wal", "-shm", "-journal"])
            {
                File.Delete(sqlitePath + suffix);
            }

            stdout.WriteLine($"overhead: deleted {sqlitePath} (fresh file)");
        }

        string studyName = "overhead-" + Guid.NewGuid().ToString("N")[..12];
        string shown = StudyStorage.Redact(url);
        stdout.WriteLine($"overhead: storage {shown}, tuner {tuner}, {trials} trials, {processes} process(es) {mode}, warm-up {warmup} trials, study {studyName}");
        await using IStudyStorage storage = StorageRegistry.Default.Open(url);
        Study study = await OverheadStudy.CreateAsync(storage, studyName, tuner, trials).ConfigureAwait(false);

        long evaluations;
        double wallSeconds;
        double runSeconds;
        double cpuSeconds;
        bool workersOk = true;
        if (mode == "in-process")
        {
            long warmed = await OverheadStudy.WarmUpAsync(storage, studyName, tuner, warmup, warmupTime).ConfigureAwait(false);
            stdout.WriteLine($"overhead: warmed up with {warmed} trials");

            TimeSpan pause0 = GC.GetTotalPauseDuration();
            int[] collections0 = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
            TimeSpan cpu0 = OverheadStudy.ProcessorTime();
            long start = Stopwatch.GetTimestamp();
            evaluations = await OverheadStudy.RunAsync(study).ConfigureAwait(false);
            wallSeconds = runSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            cpuSeconds = (OverheadStudy.ProcessorTime() - cpu0).TotalSeconds;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead: GC during the run: {(GC.GetTotalPauseDuration() - pause0).TotalSeconds:F3} s paused; collections gen0 {GC.CollectionCount(0) - collections0[0]}, gen1 {GC.CollectionCount(1) - collections0[1]}, gen2 {GC.CollectionCount(2) - collections0[2]}; {(GC.GetTotalAllocatedBytes(precise: true) - allocated0) / (double)trials:F0} bytes allocated per trial"));
        }
        else
        {
            (evaluations, wallSeconds, runSeconds, cpuSeconds, workersOk) = await RunWorkersAsync(worker ?? WorkerCommand.Self(), url, studyName, tuner, warmup, warmupTime, processes, stdout).ConfigureAwait(false);
        }

        var report = await MeasureAsync(storage, study, sqlitePath, trials, tuner).ConfigureAwait(false);
        long surplus = Math.Max(0, evaluations - report.Completed);
        long duplicates = report.DuplicateNumbers + report.Misplaced + surplus;
        bool ok = workersOk && report.Completed == trials && duplicates == 0;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead: {report.Completed} of {trials} complete in {report.SpanSeconds:F3} s of trial time -> {trials / report.SpanSeconds:F0} trials/s; duplicates {duplicates}; {(ok ? "OK" : "FAILED")}"));
        foreach (SizeWindow win in report.Windows)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead: at {win.Size} finished trials: {win.TrialsPerSecond:F0} trials/s over the last {WindowTrials}, {processes * 1000 / win.TrialsPerSecond:F3} ms per trial per worker"));
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("storage", shown);
            w.WriteString("tuner", tuner);
            w.WriteNumber("trials", trials);
            w.WriteNumber("processes", processes);
            w.WriteString("mode", mode);
            w.WriteNumber("trials_per_s", Math.Round(trials / report.SpanSeconds, 1));
            w.WriteNumber("span_s", Math.Round(report.SpanSeconds, 4));
            w.WriteNumber("wall_s", Math.Round(wallSeconds, 4));
            w.WriteNumber("run_s", Math.Round(runSeconds, 4));
            w.WriteNumber("cpu_s", Math.Round(cpuSeconds, 4));
            w.WriteNumber("trials_per_cpu_s", Math.Round(trials / Math.Max(cpuSeconds, 1e-6), 1));
            w.WriteNumber("completed", report.Completed);
            w.WriteNumber("failed", report.Failed);
            w.WriteNumber("unfinished", report.Unfinished);
            w.WriteNumber("rows", report.Rows);
            w.WriteNumber("evaluations", evaluations);
            w.WriteNumber("duplicate_numbers", report.DuplicateNumbers);
            w.WriteNumber("misplaced", report.Misplaced);
            w.WriteNumber("repeated_x", report.RepeatedX);
            w.WriteNumber("surplus_evaluations", surplus);
            w.WriteNumber("gaps", report.Gaps);
            w.WriteNumber("duplicates", duplicates);
            w.WriteNumber("warmup", warmup);
            w.WriteNumber("warmup_ms", (long)warmupTime.TotalMilliseconds);
            w.WriteBoolean("workers_ok", workersOk);
            w.WriteString("optuna_trials_per_s", memory ? "10700" : processes > 1 ? "70-80" : "70-89");
            w.WriteStartArray("at_size");
            foreach (SizeWindow win in report.Windows)
            {
                w.WriteStartObject();
                w.WriteNumber("finished", win.Size);
                w.WriteNumber("trials_per_s", Math.Round(win.TrialsPerSecond, 1));
                w.WriteNumber("ms_per_trial_per_worker", Math.Round(processes * 1000 / win.TrialsPerSecond, 3));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("ok", ok);
            w.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        return ok ? 0 : 1;
    }

    private static async Task<(long Evaluations, double WallSeconds, double RunSeconds, double CpuSeconds, bool Ok)> RunWorkersAsync(
        WorkerCommand worker, string url, string studyName, string tuner, int warmup, TimeSpan warmupTime, int processes, TextWriter stdout)
    {
        string fileName = worker.FileName;
        IReadOnlyList<string> prefix = worker.Prefix;
        var workers = new List<WorkerProcess>();
        long launch = Stopwatch.GetTimestamp();
        try
        {
            for (int i = 0; i < processes; i++)
            {
                var psi = new ProcessStartInfo(fileName)
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };

                // The URL goes through the environment, which only this user can read; a command line is visible to every user (ps).
                psi.Environment[OverheadWorker.StorageVariable] = url;
                foreach (string a in prefix.Concat(["overhead-worker", "--study", studyName, "--tuner", tuner, "--warmup", warmup.ToString(CultureInfo.InvariantCulture), "--warmup-ms", ((long)warmupTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)]))
                {
                    psi.ArgumentList.Add(a);
                }

                workers.Add(new WorkerProcess(i, Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {fileName}.")));
            }

            await Task.WhenAll(workers.Select(w => w.Ready)).WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead: {processes} worker(s) warmed up in {Stopwatch.GetElapsedTime(launch).TotalSeconds:F2} s; go"));
            long go = Stopwatch.GetTimestamp();
            foreach (WorkerProcess w in workers)
            {
                await w.Process.StandardInput.WriteLineAsync("go").ConfigureAwait(false);
                await w.Process.StandardInput.FlushAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(workers.Select(w => w.Process.WaitForExitAsync())).WaitAsync(TimeSpan.FromMinutes(30)).ConfigureAwait(false);
            double run = Stopwatch.GetElapsedTime(go).TotalSeconds;
            double wall = Stopwatch.GetElapsedTime(launch).TotalSeconds;
            long evaluations = 0;
            double cpu = 0;
            bool ok = true;
            foreach (WorkerProcess w in workers)
            {
                long? e = await w.Evaluations.ConfigureAwait(false);
                cpu += w.CpuSeconds;
                int code = w.Process.ExitCode;
                stdout.WriteLine($"overhead: worker {w.Index} (pid {w.Process.Id}) exited {code}, {e?.ToString(CultureInfo.InvariantCulture) ?? "no"} evaluations");
                ok &= code == 0 && e is not null;
                evaluations += e ?? 0;
            }

            return (evaluations, wall, run, cpu, ok);
        }
        finally
        {
            foreach (WorkerProcess w in workers)
            {
                if (!w.Process.HasExited)
                {
                    w.Process.Kill(entireProcessTree: true);
                }

                w.Process.Dispose();
            }
        }
    }

    private static async Task<Measurement> MeasureAsync(IStudyStorage storage, Study study, string? sqlitePath, int trials, string tuner)
    {
        IReadOnlyList<TrialRecord> all = await storage.GetTrialsAsync(study.Record.Id, CancellationToken.None).ConfigureAwait(false);
        int rows = all.Count;
        int distinctNumbers = all.Select(t => t.Number).Distinct().Count();
        if (sqlitePath is not null)
        {
            // Count rows in the file itself too, in case the storage's read path hid duplicates.
            await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await conn.OpenAsync().ConfigureAwait(false);
            await using SqliteCommand cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*), COUNT(DISTINCT number) FROM trials WHERE study_id = $s";
            cmd.Parameters.AddWithValue("$s", study.Record.Id);
            await using SqliteDataReader r = await cmd.ExecuteReaderAsync().ConfigureAwait(false);
            if (await r.ReadAsync().ConfigureAwait(false))
            {
                rows = Math.Max(rows, (int)r.GetInt64(0));
                distinctNumbers = Math.Min(distinctNumbers, (int)r.GetInt64(1));
            }
        }

        TrialRecord[] complete = [.. all.Where(t => t.State == TrialState.Complete)];
        double X(TrialRecord t) => Convert.ToDouble(t.Parameters["x"], CultureInfo.InvariantCulture);

        // Two trials may draw the same x by chance (System.Random's doubles have 31 bits), so a repeated x is only reported.
        // A trial is misplaced when its value is not its own x squared, or (random search) its x is not the proposal that
        // its number and the study's seed determine: the signs of parameters or results written to the wrong trial.
        int repeatedX = complete.Length - complete.Select(X).Distinct().Count();
        var random = new Tuners.RandomSearch.RandomSearchTuner();
        StudyDirection[] directions = [study.Direction];
        int misplaced = complete.Count(t =>
            t.Value != X(t) * X(t)
            || (tuner == "random" && !Equals(random.Propose(new Tuners.TunerContext(study.SearchSpace, [], directions, t.Number, study.Seed, study.Budget))["x"], t.Parameters["x"])));
        int maxNumber = all.Count == 0 ? -1 : all.Max(t => t.Number);
        DateTimeOffset first = all.Where(t => t.StartedAt is not null).Select(t => t.StartedAt!.Value).DefaultIfEmpty().Min();
        DateTimeOffset last = all.Where(t => t.FinishedAt is not null).Select(t => t.FinishedAt!.Value).DefaultIfEmpty().Max();
        double span = Math.Max((last - first).TotalSeconds, 1e-6);

        // Throughput around given study sizes: the WindowTrials trials that finished last before the study held that many finished
        // trials, so that a per-trial cost that grows with the study shows as a falling rate.
        DateTimeOffset[] finishes = [.. all.Where(t => t.FinishedAt is not null).Select(t => t.FinishedAt!.Value).Order()];
        var windows = new List<SizeWindow>();
        foreach (int size in (int[])[1_000, 10_000, 100_000])
        {
            if (size <= finishes.Length)
            {
                double seconds = Math.Max((finishes[size - 1] - finishes[size - 1 - WindowTrials]).TotalSeconds, 1e-6);
                windows.Add(new SizeWindow(size, WindowTrials / seconds));
            }
        }

        return new Measurement(
            Completed: complete.Length,
            Failed: all.Count(t => t.State == TrialState.Failed),
            Unfinished: all.Count(t => !t.IsFinished),
            Rows: rows,
            DuplicateNumbers: rows - distinctNumbers,
            Misplaced: misplaced,
            RepeatedX: repeatedX,
            Gaps: Math.Max(0, maxNumber + 1 - distinctNumbers) + Math.Max(0, trials - rows),
            SpanSeconds: span,
            Windows: windows);
    }

    private sealed record Measurement(int Completed, int Failed, int Unfinished, int Rows, int DuplicateNumbers, int Misplaced, int RepeatedX, int Gaps, double SpanSeconds, IReadOnlyList<SizeWindow> Windows);

    /// <summary>The throughput of the trials that finished just before the study reached <paramref name="Size"/> finished trials.</summary>
    private sealed record SizeWindow(int Size, double TrialsPerSecond);

    private sealed class WorkerProcess
    {
        private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WorkerProcess(int index, Process process)
        {
            Index = index;
            Process = process;
            Evaluations = ReadAsync();
        }

        public int Index { get; }

        public Process Process { get; }

        public Task Ready => ready.Task;

        public Task<long?> Evaluations { get; }

        public double CpuSeconds { get; private set; }

        private async Task<long?> ReadAsync()
        {
            long? evaluations = null;
            while (await Process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line == OverheadWorker.ReadyLine)
                {
                    ready.TrySetResult();
                }
                else if (line.StartsWith(OverheadWorker.CpuPrefix, StringComparison.Ordinal))
                {
                    CpuSeconds = long.Parse(line[OverheadWorker.CpuPrefix.Length..], CultureInfo.InvariantCulture) / 1000.0;
                }
                else if (line.StartsWith(OverheadWorker.ResultPrefix, StringComparison.Ordinal))
                {
                    evaluations = long.Parse(line[OverheadWorker.ResultPrefix.Length..], CultureInfo.InvariantCulture);
                }
            }

            ready.TrySetException(new InvalidOperationException($"Worker {Index} ended before it was ready (exit code {(Process.HasExited ? Process.ExitCode : -1)})."));
            return evaluations;
        }
    }
}

/// <summary>The command line that starts an <c>overhead-worker</c>: an executable and the arguments before the subcommand.</summary>
/// <param name="FileName">The executable.</param>
/// <param name="Prefix">Arguments placed before <c>overhead-worker</c> (for example the assembly, when the executable is <c>dotnet</c>).</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Prefix)
{
    /// <summary>Gets the command that re-launches this executable (through <c>dotnet</c> when it runs as <c>dotnet Hpo.Benchmarks.dll</c>).</summary>
    /// <returns>The command.</returns>
    public static WorkerCommand Self()
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this executable is unknown; cannot launch workers.");
        string name = Path.GetFileNameWithoutExtension(self);
        return string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase)
            ? new WorkerCommand(self, [typeof(OverheadCommand).Assembly.Location])
            : new WorkerCommand(self, []);
    }

    /// <summary>Gets the command that runs the benchmark assembly next to this one with <c>dotnet</c> (for tests).</summary>
    /// <returns>The command.</returns>
    public static WorkerCommand Dotnet() =>
        new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet", [typeof(OverheadCommand).Assembly.Location]);
}
