using System.Diagnostics;
using System.Globalization;
using Hpo.Models;
using Hpo.Pruners;
using Hpo.Pruners.SuccessiveHalving;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.TorchSharp.Models;
using Hpo.TorchSharp.Objectives;
using Hpo.TorchSharp.SearchSpaces;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;
using static TorchSharp.torch;
using TorchModel = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Hpo.Samples.Iris;

/// <summary>
/// <c>--model mlp</c>: tunes a TorchSharp multilayer perceptron on Iris with early stopping, then scores the best trial's
/// checkpoint on 30 held-out rows that the study never saw.
/// </summary>
internal static class MlpStudy
{
    /// <summary>The epochs of a trial that is never pruned; ASHA's rungs (minimum 1, factor 3) fall at 1, 3, 9 and 27.</summary>
    public const int Epochs = 27;

    private const int Seed = 42;
    private const int HeldOutPerClass = 10;
    private const int ValidationPerClass = 8;

    public static async Task<int> RunAsync(CommandLine options, CancellationToken cancellationToken)
    {
        // The data: a fixed, stratified split (seed 42) of the 150 rows into 30 held out for the end, and 120 for the study,
        // which trains on 96 and reports its validation loss on 24 after each epoch.
        IrisData data = IrisData.Load(Path.Combine(AppContext.BaseDirectory, "data", "iris.csv"));
        (int[] heldOut, int[] tuning) = data.StratifiedSplit(HeldOutPerClass, new Random(Seed));
        (int[] validation, int[] training) = data.StratifiedSplit(ValidationPerClass, new Random(Seed + 1), tuning);
        (float[] mean, float[] scale) = data.Standardization(tuning);
        using TensorData trainingData = data.ToTensors(training, mean, scale);
        using TensorData validationData = data.ToTensors(validation, mean, scale);
        using TensorData heldOutData = data.ToTensors(heldOut, mean, scale);

        // The search space: the network's shape and the ready optimizer space of Hpo.TorchSharp (batch sizes up to 64).
        SearchSpace space = new SearchSpaceBuilder()
            .AddInt("layers", 1, 2)
            .AddInt("hidden", 4, 64, log: true)
            .AddCategorical("activation", "relu", "tanh", "gelu")
            .AddFloat("dropout", 0, 0.5)
            .AddOptimizer(new OptimizerSearchSpaceOptions { BatchSize = new IntDistribution(8, 64, log: true) })
            .Build();

        string checkpoints = Path.Combine(CommandLine.SampleDirectory(), "checkpoints");
        var objective = new TorchTrainingObjective(new TorchTrainingOptions
        {
            // The network as data (with the standardization of the raw measurements), so the served model needs none of this code.
            Architecture = trial => Mlp(trial.Parameters, mean, scale),
            ModelStore = new FileSystemArtifactStore(CommandLine.ArtifactsDirectory()),
            TrainingData = trainingData,
            ValidationData = validationData,
            Loss = (output, target) => nn.functional.cross_entropy(output, target),
            Metric = CrossEntropy,
            MetricDirection = StudyDirection.Minimize,
            Epochs = Epochs,
            Threads = 1,
            Seed = Seed,
            CheckpointDirectory = checkpoints,
        });

        IPruner? pruner = options.Pruner == "asha"
            ? new SuccessiveHalvingPruner(new SuccessiveHalvingPrunerOptions { MinResource = 1, ReductionFactor = 3, MaxResource = Epochs })
            : null;
        await using IStudyStorage storage = StorageRegistry.Default.Open(options.Storage);
        Study study = await Study.CreateOrLoadAsync(storage, options.StudyName, space, new StudyOptions
        {
            Direction = StudyDirection.Minimize,
            Tuner = TunerRegistry.Default.Create(options.Tuner),
            Pruner = pruner,
            Seed = Seed,
            Budget = options.Trials,
        }, cancellationToken);

        TrialCounts counts = await study.GetTrialCountsAsync(cancellationToken);
        int budget = study.Budget ?? options.Trials;
        int toGo = Math.Max(0, budget - counts.Finished);
        Console.WriteLine($"Storage: {Hpo.Storage.StudyStorage.Redact(options.Storage)}");
        Console.WriteLine(study.IsResumed
            ? $"Resuming study '{study.Name}': {counts.Finished} trials finished, {toGo} to go."
            : $"Created study '{study.Name}': tuner '{study.Tuner.Name}', pruner '{study.Pruner?.Name ?? "none"}', {budget} trials of up to {Epochs} epochs, validation loss (minimize).");
        Console.WriteLine($"Rows: {training.Length} to train, {validation.Length} to validate, {heldOut.Length} held out (never seen by the study).");

        int exitCode = 0;
        if (toGo > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"{"trial",5}  {"state",8}  {"epochs",6}  {"val_loss",8}  {"best",15}  {"optimizer",9}  {"lr",9}  {"decay",18}  {"batch",5}  {"layers",6}  {"hidden",6}  {"activation",10}");
            var stopwatch = Stopwatch.StartNew();
            try
            {
                OptimizeResult result = await study.OptimizeAsync(objective, new OptimizeOptions { TrialCount = toGo, OnTrialFinished = TrialFinished }, cancellationToken);
                Console.WriteLine($"Ran {result.TrialsRun} trials in {stopwatch.Elapsed.TotalSeconds:0.0} s.");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Console.WriteLine($"Cancelled after {stopwatch.Elapsed.TotalSeconds:0.0} s. Run the same command again to resume.");
                exitCode = 130;
            }
        }

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync(CancellationToken.None);
        counts = await study.GetTrialCountsAsync(CancellationToken.None);
        long epochs = trials.Sum(t => (long)t.IntermediateValues.Count);
        Console.WriteLine();
        Console.WriteLine($"Trials: {counts}.");
        Console.WriteLine($"total epochs trained: {epochs} (at most {trials.Count * Epochs} without pruning)");

        TrialRecord? best = await study.GetBestTrialAsync(CancellationToken.None);
        if (best is null)
        {
            Console.WriteLine("No trial has completed yet.");
            return exitCode;
        }

        // No more training: the best trial's checkpoint is loaded into a network of its shape and scored on the held-out rows.
        using TorchModel model = TorchTrainingObjective.LoadCheckpoint(best, Mlp(best.Parameters, mean, scale).Build());
        model.eval();
        using (no_grad())
        {
            using Tensor predicted = model.call(heldOutData.Features).argmax(1);
            using Tensor correct = predicted.eq(heldOutData.Targets).sum();
            double accuracy = correct.item<long>() / (double)heldOut.Length;
            Console.WriteLine($"Best trial: #{best.Number}, validation loss {best.Value:0.0000} (epoch {best.UserAttributes.GetValueOrDefault(TorchTrainingObjective.BestEpochAttribute, "?")}).");
            foreach ((string name, object value) in best.Parameters)
            {
                Console.WriteLine($"  {name,-20} {Format(value)}");
            }

            Console.WriteLine($"held-out accuracy: {accuracy.ToString("0.000", CultureInfo.InvariantCulture)} ({heldOut.Length} rows)");
        }

        Console.WriteLine($"model file: {best.UserAttributes[TorchTrainingObjective.CheckpointAttribute]}");
        if (options.Export is { } export && exitCode == 0)
        {
            if (!best.UserAttributes.ContainsKey(TrialModels.ModelAttribute))
            {
                Console.Error.WriteLine($"Could not export: trial #{best.Number} saved no model (it ran before the sample saved models); start a new study with --study.");
                return 1;
            }

            ModelVersion version = await new ModelRepository(export).PublishBestAsync(storage, new FileSystemArtifactStore(CommandLine.ArtifactsDirectory()), study.Name, "iris", CancellationToken.None);
            Console.WriteLine($"Exported trial #{best.Number} (torchsharp) as model 'iris' version {version.Version}: {version.Directory}");
        }

        return exitCode;
    }

    /// <summary>Describes the network a trial's parameters ask for: 4 standardized inputs, 1 or 2 hidden layers with dropout, 3 outputs.</summary>
    private static SequentialArchitecture Mlp(IReadOnlyDictionary<string, object> parameters, float[] mean, float[] scale)
    {
        int layers = (int)(long)parameters["layers"];
        int hidden = (int)(long)parameters["hidden"];
        return SequentialArchitecture.Mlp(4, [.. Enumerable.Repeat(hidden, layers)], 3, (string)parameters["activation"], (double)parameters["dropout"]) with
        {
            InputMean = mean,
            InputScale = scale,
        };
    }

    private static double CrossEntropy(Tensor output, Tensor target)
    {
        using Tensor loss = nn.functional.cross_entropy(output, target);
        return loss.item<float>();
    }

    private static ValueTask TrialFinished(TrialFinishedArguments args)
    {
        TrialRecord trial = args.Trial;
        string value = trial.Value is double v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
        string best = args.BestTrial is { Value: double b } bt ? $"{b:0.0000} (#{bt.Number})" : "-";
        IReadOnlyDictionary<string, object> p = trial.Parameters;
        Console.WriteLine(
            $"{trial.Number,5}  {trial.State,8}  {trial.IntermediateValues.Count,6}  {value,8}  {best,15}  {Format(p.GetValueOrDefault(OptimizerSearchSpace.Optimizer)),9}  " +
            $"{Format(p.GetValueOrDefault(OptimizerSearchSpace.LearningRate)),9}  {Format(p.GetValueOrDefault(OptimizerSearchSpace.Decay)),18}  {Format(p.GetValueOrDefault(OptimizerSearchSpace.BatchSize)),5}  " +
            $"{Format(p.GetValueOrDefault("layers")),6}  {Format(p.GetValueOrDefault("hidden")),6}  {Format(p.GetValueOrDefault("activation")),10}");
        if (trial.FailReason is { } reason)
        {
            Console.WriteLine($"       {reason}");
        }

        return ValueTask.CompletedTask;
    }

    private static string Format(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-",
    };
}
