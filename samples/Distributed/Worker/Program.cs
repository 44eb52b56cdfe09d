// A worker of the distributed sample. Start as many as you like, on one machine or many, against the same PostgreSQL
// study: each claims trials until the study's budget is spent, and the storage keeps them from running a trial twice.
//
//   dotnet run --project samples/Distributed/Worker -- --storage URL [--study NAME] [--executor in-process|child-process]
//                                                       [--concurrency N] [--budget N]
//
// --executor in-process (the default) evaluates the objective in this process; child-process runs each trial as the
// sample's trial program (samples/Distributed/TrialProgram) through the trial protocol. The study is created with
// space.json, --budget, a 10-second lease and 2 retries of lost trials when it does not exist yet (or create it first
// with `hpo create`, as README.md does). Ctrl+C stops the worker: its running trials are recorded as cancelled.

using System.Globalization;
using System.Reflection;
using Hpo;
using Hpo.Execution;
using Hpo.Execution.ChildProcess;
using Hpo.Objectives;
using Hpo.Samples.Distributed;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Visualization.Progress;
using Hpo.Trials;

var options = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["--storage"] = Environment.GetEnvironmentVariable("HPO_STORAGE") ?? string.Empty,
    ["--study"] = "distributed-demo",
    ["--executor"] = "in-process",
    ["--concurrency"] = "2",
    ["--budget"] = "40",
};
for (int i = 0; i < args.Length; i++)
{
    if (!options.ContainsKey(args[i]) || i + 1 == args.Length)
    {
        Console.Error.WriteLine($"Unknown option or missing value: '{args[i]}'. Options: {string.Join(", ", options.Keys)} (see README.md).");
        return 2;
    }

    options[args[i]] = args[++i];
}

if (options["--storage"].Length == 0)
{
    Console.Error.WriteLine("--storage is required (or HPO_STORAGE), e.g. postgresql://postgres@127.0.0.1:55432/postgres.");
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

string sampleDirectory = Metadata("SampleDirectory");
SearchSpace space = SearchSpace.FromJson(File.ReadAllText(Path.Combine(sampleDirectory, "space.json")));
await using IStudyStorage storage = StudyStorage.Open(options["--storage"]);
Study study = await Study.CreateOrLoadAsync(storage, options["--study"], space, new StudyOptions
{
    Direction = StudyDirection.Minimize,
    Budget = int.Parse(options["--budget"], CultureInfo.InvariantCulture),
    Seed = 7,
    Lease = TimeSpan.FromSeconds(10),
    MaxRetries = 2, // a trial whose worker is lost (killed, its machine removed) runs again with the same parameters
}, cancellation.Token);

ChildProcessExecutor? executor = null;
IObjective objective;
switch (options["--executor"])
{
    case "in-process":
        objective = Objective.Create(async (trial, ct) =>
        {
            double x = trial.Get<double>("x"), y = trial.Get<double>("y");
            double loss = double.NaN;
            for (int epoch = 1; epoch <= SyntheticTraining.Epochs; epoch++)
            {
                await Task.Delay(SyntheticTraining.EpochDelay, ct);
                loss = SyntheticTraining.Loss(x, y, epoch);
                await trial.ReportAsync(epoch, loss, ct);
            }

            return loss;
        });
        break;

    case "child-process":
        string program = Metadata("TrialProgram");
        executor = new ChildProcessExecutor(new ChildProcessExecutorOptions { Command = ["dotnet", program] });
        objective = executor.AsObjective();
        break;

    default:
        Console.Error.WriteLine($"--executor must be in-process or child-process, but got '{options["--executor"]}'.");
        return 2;
}

Console.WriteLine($"Worker {Environment.ProcessId} joins study '{study.Name}' ({options["--executor"]}, concurrency {options["--concurrency"]}).");
try
{
    // A live panel when the console is a terminal, one log line per trial otherwise (CI, files, containers).
    ConsoleProgressView progress = ConsoleProgressView.ForTerminal(Console.Out, useStandardOutput: true);
    var run = new OptimizeOptions { Concurrency = int.Parse(options["--concurrency"], CultureInfo.InvariantCulture) }.ReportProgress(progress);
    OptimizeResult result = await progress.RunAsync(() => study.OptimizeAsync(objective, run, cancellation.Token));
    Console.WriteLine($"Worker {Environment.ProcessId} ran {result.TrialsRun} trials and stops: {result.StopReason}. Study: {result.Counts}.");
    if (result.BestTrial is { } best)
    {
        Console.WriteLine($"Best so far: trial {best.Number}, loss {best.Value?.ToString("G6", CultureInfo.InvariantCulture)}, x={best.Parameters["x"]}, y={best.Parameters["y"]}.");
    }
}
catch (OperationCanceledException)
{
    Console.WriteLine("Stopped; the running trials were recorded as cancelled.");
}
finally
{
    if (executor is not null)
    {
        await executor.DisposeAsync();
    }
}

return 0;

static string Metadata(string key) => typeof(SyntheticTraining).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
