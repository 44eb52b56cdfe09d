using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hpo.Execution;
using Hpo.Execution.ChildProcess;
using Hpo.Execution.Container;
using Hpo.Execution.InProcess;
using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Benchmarks.Overhead;

/// <summary>
/// <c>executor-overhead --executor inprocess|process|container [--program sh|csharp] [--trials N] [--warmup W] [--image IMAGE]
/// [--container-cli CLI] [--container-global-args "…"] [--container-args "…"]</c>: the per-trial cost of running a trivial
/// trial through an executor (process start, protocol, teardown; for containers the CLI and the engine), against the
/// in-process executor measured in the same run. Prints one JSON object as its last line.
/// </summary>
public static class ExecutorOverheadCommand
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", -10, 10).Build();

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>executor-overhead</c>.</param>
    /// <param name="stdout">Where the progress lines and the final JSON line go.</param>
    /// <param name="trialProgram">How to start this executable's <c>trial-program</c>; <see langword="null"/> re-launches this executable.</param>
    /// <returns>0 when every measured trial completed with x squared, 1 otherwise.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, WorkerCommand? trialProgram = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var cl = new CommandLine("executor-overhead", args, "executor", "program", "trials", "warmup", "image", "container-cli", "container-global-args", "container-args", "artifacts");
        string executorName = cl.String("executor");
        string program = cl.String("program", "sh");
        int trials = cl.PositiveInt("trials", executorName == "inprocess" ? 2000 : 20);
        int warmup = cl.NonNegativeInt("warmup", executorName == "inprocess" ? 200 : 2);
        if (executorName is not ("inprocess" or "process" or "container"))
        {
            throw new UsageException($"executor-overhead: --executor must be inprocess, process or container, but got '{executorName}'.");
        }

        if (program is not ("sh" or "csharp"))
        {
            throw new UsageException($"executor-overhead: --program must be sh or csharp, but got '{program}'.");
        }

        string? image = executorName == "container" ? cl.String("image") : null;
        string artifacts = cl.String("artifacts", Path.Combine(Path.GetTempPath(), "hpo-executor-overhead-" + Guid.NewGuid().ToString("N")[..8]));
        WorkerCommand self = trialProgram ?? WorkerCommand.Self();

        // The in-process baseline, measured in the same run under the same load.
        Measurement baseline = await MeasureAsync(new InProcessExecutor(Objective.Create((ITrial t) => t.Get<double>("x") * t.Get<double>("x"))), 2000, 200).ConfigureAwait(false);
        stdout.WriteLine(Format($"executor-overhead: in-process baseline {baseline.PerTrialMs:0.####} ms per trial"));

        ITrialExecutor executor = executorName switch
        {
            "inprocess" => new InProcessExecutor(Objective.Create((ITrial t) => t.Get<double>("x") * t.Get<double>("x"))),
            "process" => new ChildProcessExecutor(new ChildProcessExecutorOptions
            {
                Command = program == "sh" ? ["/bin/sh", "-c", ShellProgram] : [self.FileName, .. self.Prefix, "trial-program"],
                ArtifactsRoot = artifacts,
            }),
            _ => Container(image!, program, cl, artifacts),
        };
        Measurement measured = executorName == "inprocess" ? baseline : await MeasureAsync(executor, trials, warmup).ConfigureAwait(false);
        await executor.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(artifacts, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        bool ok = measured.Wrong == 0 && measured.Completed == (executorName == "inprocess" ? 2000 : trials);
        var json = new Dictionary<string, object?>
        {
            ["executor"] = executorName,
            ["program"] = executorName == "inprocess" ? "lambda" : program,
            ["trials"] = measured.Completed + measured.Wrong + measured.Failed,
            ["per_trial_ms"] = Math.Round(measured.PerTrialMs, 3),
            ["median_trial_ms"] = Math.Round(measured.MedianTrialMs, 3),
            ["inprocess_per_trial_ms"] = Math.Round(baseline.PerTrialMs, 4),
            ["overhead_ms"] = Math.Round(measured.PerTrialMs - baseline.PerTrialMs, 3),
            ["completed"] = measured.Completed,
            ["failed"] = measured.Failed,
            ["wrong_values"] = measured.Wrong,
            ["first_failure"] = measured.FirstFailure,
            ["load_1min"] = LoadAverage(),
            ["ok"] = ok,
        };
        stdout.WriteLine(JsonSerializer.Serialize(json));
        return ok ? 0 : 1;
    }

    /// <summary>
    /// The shell trial program: prints x squared. POSIX sh has no floating point, so it completes with 0 when x is negative or
    /// positive alike: the value is checked only for the C# program.
    /// </summary>
    private const string ShellProgram = "echo 'hpo:result 0'";

    private static ContainerExecutor Container(string image, string program, CommandLine cl, string artifacts)
    {
        if (program != "sh")
        {
            throw new UsageException("executor-overhead: --executor container runs the shell program (--program sh) in --image; a C# program in a container is the image's own command.");
        }

        var options = new ContainerExecutorOptions { Image = image, Command = ["/bin/sh", "-c", ShellProgram], ArtifactsRoot = artifacts, PullPolicy = ContainerPullPolicy.Never };
        options.Cli = cl.String("container-cli", options.Cli);
        foreach (string a in cl.String("container-global-args", string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            options.GlobalArguments.Add(a);
        }

        foreach (string a in cl.String("container-args", string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            options.RunArguments.Add(a);
        }

        return new ContainerExecutor(options);
    }

    private static async Task<Measurement> MeasureAsync(ITrialExecutor executor, int trials, int warmup)
    {
        await using (executor.ConfigureAwait(false))
        {
            if (warmup > 0)
            {
                Study warm = await Study.CreateAsync(new InMemoryStudyStorage(), "warm-up", Space, new StudyOptions { Seed = 1 }).ConfigureAwait(false);
                await warm.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = warmup }).ConfigureAwait(false);
            }

            Study study = await Study.CreateAsync(new InMemoryStudyStorage(), "measured", Space, new StudyOptions { Seed = 2 }).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = trials }).ConfigureAwait(false);
            double wallMs = clock.Elapsed.TotalMilliseconds;
            IReadOnlyList<TrialRecord> records = await study.GetTrialsAsync().ConfigureAwait(false);
            TrialRecord[] complete = [.. records.Where(r => r.State == TrialState.Complete)];
            int wrong = complete.Count(r =>
            {
                double x = Convert.ToDouble(r.Parameters["x"], CultureInfo.InvariantCulture);
                return r.Value != 0 && Math.Abs(r.Value!.Value - (x * x)) > 1e-9 * Math.Max(1, x * x);
            });
            double[] durations = [.. records.Where(r => r.Duration is not null).Select(r => r.Duration!.Value.TotalMilliseconds).Order()];
            return new Measurement(
                wallMs / trials,
                durations.Length == 0 ? double.NaN : durations[durations.Length / 2],
                complete.Length - wrong,
                records.Count(r => r.State == TrialState.Failed),
                wrong,
                records.FirstOrDefault(r => r.State == TrialState.Failed)?.FailReason);
        }
    }

    private static double? LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Measurement(double PerTrialMs, double MedianTrialMs, int Completed, int Failed, int Wrong, string? FirstFailure);
}

/// <summary><c>trial-program</c>: the trivial C# trial program of <c>executor-overhead</c>: reads x and completes with x squared.</summary>
public static class TrialProgramCommand
{
    /// <summary>Runs the trial program.</summary>
    /// <returns>0.</returns>
    public static int Run()
    {
        TrialProcess trial = TrialProcess.Current;
        double x = trial.Get<double>("x");
        trial.Complete(x * x);
        return 0;
    }
}
