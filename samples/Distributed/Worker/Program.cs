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

using System.CommandLine;
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
using Hpo.Registries;

// The options, parsed by System.CommandLine (--help lists them; an unknown option is named with the closest known one).
var storageOption = new Option<string>("--storage")
{
    HelpName = "URL",
    Description = "The study's storage, e.g. postgresql://postgres@127.0.0.1:55432/postgres (default: the HPO_STORAGE environment variable).",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HPO_STORAGE") ?? string.Empty,
};
var studyOption = new Option<string>("--study") { HelpName = "NAME", Description = "The study's name.", DefaultValueFactory = _ => "distributed-demo" };
var executorOption = new Option<string>("--executor") { HelpName = "EXECUTOR", Description = "in-process: the objective runs in this process; child-process: each trial runs the sample's trial program.", DefaultValueFactory = _ => "in-process" };
executorOption.AcceptOnlyFromAmong("in-process", "child-process");
var concurrencyOption = new Option<int>("--concurrency") { HelpName = "N", Description = "How many trials this worker runs at once.", DefaultValueFactory = _ => 2 };
var budgetOption = new Option<int>("--budget") { HelpName = "N", Description = "The study's budget of finished trials, when this worker creates it.", DefaultValueFactory = _ => 40 };
foreach (Option<int> positive in new[] { concurrencyOption, budgetOption })
{
    positive.Validators.Add(r =>
    {
        if (r.Tokens.Count > 0 && (!int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1))
        {
            r.AddError($"{r.Option.Name} must be a whole number at least 1, but got '{r.Tokens[0].Value}'.");
        }
    });
}

var root = new RootCommand("A worker of the distributed sample: joins one study and runs its trials until the budget is spent (see README.md).")
{
    storageOption, studyOption, executorOption, concurrencyOption, budgetOption,
};
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // System.CommandLine prints the errors, the closest option to a mistyped one, and the help.
    parsed.Invoke(new InvocationConfiguration { Output = Console.Error, Error = Console.Error });
    return 2;
}

if (parsed.Action is not null)
{
    return parsed.Invoke(); // --help or --version
}

var options = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["--storage"] = parsed.GetValue(storageOption)!,
    ["--study"] = parsed.GetValue(studyOption)!,
    ["--executor"] = parsed.GetValue(executorOption)!,
    ["--concurrency"] = parsed.GetValue(concurrencyOption).ToString(CultureInfo.InvariantCulture),
    ["--budget"] = parsed.GetValue(budgetOption).ToString(CultureInfo.InvariantCulture),
};

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
await using IStudyStorage storage = StorageRegistry.Default.Open(options["--storage"]);
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
