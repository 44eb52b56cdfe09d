// Tunes ML.NET's LightGbm multiclass trainer on the Iris data set with Hpo.
//
// Every trial trains LightGbm with the parameters a tuner proposes and is scored by its 5-fold cross-validated accuracy.
// The study lives in a SQLite file (samples/Iris/iris.db by default), so running the program again resumes it where it
// stopped; Ctrl+C stops it cleanly. `--model mlp` tunes a TorchSharp network instead (MlpStudy.cs). `dotnet run --project samples/Iris -- --help` lists the options (see README.md).

using System.Diagnostics;
using Hpo;
using Hpo.MLNet.Evaluation;
using Hpo.MLNet.Objectives;
using Hpo.MLNet.Trainers;
using Hpo.Models;
using Hpo.Samples.Iris;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;
using Microsoft.ML;

if (CommandLine.Parse(args) is not { } options)
{
    return 2;
}

if (options.ShowHelp)
{
    CommandLine.PrintUsage(Console.Out);
    return 0;
}

// Ctrl+C stops the study: the running trial is recorded as cancelled and the program prints the best trial so far.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.WriteLine("Stopping after recording the running trial as cancelled (Ctrl+C again quits at once)...");
        cancellation.Cancel();
    }
};

// --model mlp: a TorchSharp network tuned with early stopping (MlpStudy.cs); the rest of this file is the LightGbm study.
if (options.IsMlp)
{
    return await MlpStudy.RunAsync(options, cancellation.Token);
}

// The data: 150 flowers, 4 measurements each, and their species (0, 1 or 2).
var ml = new MLContext(seed: 0);
IDataView data = ml.Data.LoadFromTextFile<IrisRow>(Path.Combine(AppContext.BaseDirectory, "data", "iris.csv"), hasHeader: true, separatorChar: ',');

// The objective: the mean accuracy of 5-fold cross-validation, on the same folds for every trial.
var objective = new MulticlassCrossValidationObjective(
    data,
    (context, trial) => IrisPipeline(context, LightGbmParameters.FromTrial(trial)),
    MulticlassMetric.MicroAccuracy,
    new CrossValidationOptions { FoldCount = 5, Seed = 0 })
{
    // Each trial also refits its pipeline on all 150 rows and saves it (model.zip + manifest), so the best one can be published.
    ModelStore = new FileSystemArtifactStore(CommandLine.ArtifactsDirectory()),
};

// The study: created on the first run with a budget of finished trials, resumed by later runs.
ITuner tuner = TunerRegistry.Default.Create(options.Tuner);
await using IStudyStorage storage = StorageRegistry.Default.Open(options.Storage);
Study study = await Study.CreateOrLoadAsync(storage, options.StudyName, LightGbmSearchSpace.Create(), new StudyOptions
{
    Direction = StudyDirection.Maximize,
    Tuner = tuner,
    Seed = 42,
    Budget = options.Trials,
});

TrialCounts counts = await study.GetTrialCountsAsync();
int budget = study.Budget ?? options.Trials;
int toGo = Math.Max(0, budget - counts.Finished);
ConsoleReport.Start(study, options, counts, budget, toGo);

int exitCode = 0;
if (toGo > 0)
{
    var stopwatch = Stopwatch.StartNew();

    // In a terminal, the live progress view (trials by state, the best value and its parameters, trials per second, time left);
    // otherwise (CI, a file, a container) plain lines: one table row per trial.
    var progress = Hpo.Visualization.Progress.ConsoleProgressView.ForTerminal(Console.Out, useStandardOutput: true);
    var run = new OptimizeOptions { TrialCount = toGo };
    if (progress.IsLive)
    {
        run = run.ReportProgress(progress);
    }
    else
    {
        ConsoleReport.TableHeader();
        run.OnTrialFinished = ConsoleReport.TrialFinished;
    }

    try
    {
        OptimizeResult result = await progress.RunAsync(() => study.OptimizeAsync(objective, run, cancellation.Token));
        Console.WriteLine($"Ran {result.TrialsRun} trials in {stopwatch.Elapsed.TotalSeconds:0.0} s.");
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        Console.WriteLine($"Cancelled after {stopwatch.Elapsed.TotalSeconds:0.0} s. Run the same command again to resume.");
        exitCode = 130;
    }
}

ConsoleReport.Best(await study.GetBestTrialAsync(), await study.GetTrialCountsAsync(), options);
if (options.Export is { } export && exitCode == 0)
{
    exitCode = await ExportBestAsync(storage, study.Name, export);
}

return exitCode;

// Raw labels become keys, the four measurements one feature vector, and LightGbm classifies it.
static IEstimator<ITransformer> IrisPipeline(MLContext ml, LightGbmParameters parameters) =>
    ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.Concatenate("Features", nameof(IrisRow.SepalLength), nameof(IrisRow.SepalWidth), nameof(IrisRow.PetalLength), nameof(IrisRow.PetalWidth)))
        .Append(ml.MulticlassClassification.Trainers.LightGbm(parameters.ToMulticlassOptions()));

// --export BASE: the best trial's saved model becomes the next version of BASE/iris/ (see 'hpo serve').
static async Task<int> ExportBestAsync(IStudyStorage storage, string studyName, string basePath)
{
    try
    {
        ModelVersion version = await new ModelRepository(basePath).PublishBestAsync(storage, new FileSystemArtifactStore(CommandLine.ArtifactsDirectory()), studyName, "iris");
        Console.WriteLine($"Exported trial #{version.Manifest.Trial} ({version.Manifest.Kind}) as model 'iris' version {version.Version}: {version.Directory}");
        return 0;
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"Could not export: {e.Message}");
        return 1;
    }
}
