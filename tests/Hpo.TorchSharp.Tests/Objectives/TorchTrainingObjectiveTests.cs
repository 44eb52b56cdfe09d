using Hpo.Models;
using Hpo.Objectives;
using Hpo.Pruners;
using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.TorchSharp.Models;
using Hpo.TorchSharp.Objectives;
using Hpo.TorchSharp.SearchSpaces;
using Hpo.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpo.TorchSharp.Tests.Objectives;

public sealed class TorchTrainingObjectiveTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hpo-torchsharp-tests", Guid.NewGuid().ToString("N"));
    private readonly TensorData training;
    private readonly TensorData validation;

    public TorchTrainingObjectiveTests()
    {
        (training, validation) = (Blobs(48, seed: 1), Blobs(24, seed: 2));
    }

    public void Dispose()
    {
        training.Dispose();
        validation.Dispose();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task EvaluateAsync_SameSeed_GivesTheSameLearningCurve()
    {
        TrialRecord first = await RunOneTrialAsync(Options(seed: 7), "same-seed-a");
        TrialRecord second = await RunOneTrialAsync(Options(seed: 7), "same-seed-b");
        TrialRecord other = await RunOneTrialAsync(Options(seed: 8), "other-seed");

        Assert.Equal(TrialState.Complete, first.State);
        Assert.Equal(3, first.IntermediateValues.Count);
        Assert.Equal(first.IntermediateValues, second.IntermediateValues);
        Assert.Equal(first.Value, second.Value);
        Assert.NotEqual(first.IntermediateValues.Values, other.IntermediateValues.Values);
    }

    [Fact]
    public async Task EvaluateAsync_PrunerSaysStop_StopsTrainingAndEndsPruned()
    {
        int epochs = 0;
        TorchTrainingOptions options = Options(seed: 1, epochs: 10);
        options.OnEpochFinished = _ =>
        {
            epochs++;
            return ValueTask.CompletedTask;
        };

        TrialRecord trial = await RunOneTrialAsync(options, "pruned", new StopAtStep(2));

        Assert.Equal(TrialState.Pruned, trial.State);
        Assert.Equal(2, epochs);
        Assert.Equal([1L, 2L], trial.IntermediateValues.Keys);
        Assert.Equal("2", trial.UserAttributes[TorchTrainingObjective.EpochsTrainedAttribute]);
        Assert.Equal(trial.IntermediateValues[2], trial.Value);
    }

    [Fact]
    public async Task EvaluateAsync_BestCheckpoint_ReloadsToTheSamePredictions()
    {
        // The test keeps the predictions of the model being trained after each epoch, to compare with the reloaded checkpoint.
        nn.Module<Tensor, Tensor>? trained = null;
        var predictions = new Dictionary<int, float[]>();
        TorchTrainingOptions options = Options(seed: 3, epochs: 4);
        options.ModelFactory = _ => trained = Model(hidden: 8);
        options.OnEpochFinished = args =>
        {
            trained!.eval();
            using var noGrad = no_grad();
            using Tensor output = trained.call(validation.Features);
            predictions[args.Epoch] = output.data<float>().ToArray();
            return ValueTask.CompletedTask;
        };
        TrialRecord trial = await RunOneTrialAsync(options, "checkpoint");
        string path = trial.UserAttributes[TorchTrainingObjective.CheckpointAttribute];
        int bestEpoch = int.Parse(trial.UserAttributes[TorchTrainingObjective.BestEpochAttribute], System.Globalization.CultureInfo.InvariantCulture);

        manual_seed(12345); // a different initialization, so only the checkpoint can bring the weights back
        using nn.Module<Tensor, Tensor> model = TorchTrainingObjective.LoadCheckpoint(trial, Model(hidden: 8));
        model.eval();
        using var noGrad = no_grad();
        using Tensor reloaded = model.call(validation.Features);

        Assert.StartsWith(folder, path, StringComparison.Ordinal);
        Assert.True(File.Exists(path));
        Assert.Equal(4, predictions.Count);
        Assert.Equal(predictions[bestEpoch], reloaded.data<float>().ToArray());
        Assert.Equal(trial.IntermediateValues.Values.Min(), trial.Value);
        Assert.Equal(trial.IntermediateValues[bestEpoch], CrossEntropy(reloaded, validation.Targets), 6);
    }

    [Fact]
    public async Task EvaluateAsync_BestEpochBeforeTheLast_KeepsThatEpochsCheckpoint()
    {
        nn.Module<Tensor, Tensor>? trained = null;
        var predictions = new Dictionary<int, float[]>();
        double[] metrics = [3, 1, 2, 4];
        int calls = 0;
        TorchTrainingOptions options = Options(seed: 4, epochs: 4);
        options.ModelFactory = _ => trained = Model(hidden: 8);
        options.Metric = (_, _) => metrics[calls++];
        options.OnEpochFinished = args =>
        {
            trained!.eval();
            using var noGrad = no_grad();
            using Tensor output = trained.call(validation.Features);
            predictions[args.Epoch] = output.data<float>().ToArray();
            return ValueTask.CompletedTask;
        };

        TrialRecord trial = await RunOneTrialAsync(options, "best-before-last");
        using nn.Module<Tensor, Tensor> model = TorchTrainingObjective.LoadCheckpoint(trial, Model(hidden: 8));
        model.eval();
        using var noGrad = no_grad();
        using Tensor reloaded = model.call(validation.Features);

        Assert.Equal("2", trial.UserAttributes[TorchTrainingObjective.BestEpochAttribute]);
        Assert.Equal(1, trial.Value);
        Assert.Equal(predictions[2], reloaded.data<float>().ToArray());
        Assert.NotEqual(predictions[4], reloaded.data<float>().ToArray());
    }

    [Fact]
    public async Task EvaluateAsync_SameSeed_SavesCheckpointsWithTheSamePredictions()
    {
        TrialRecord first = await RunOneTrialAsync(Options(seed: 5), "predictions-a");
        TrialRecord second = await RunOneTrialAsync(Options(seed: 5), "predictions-b");

        using var a = TorchTrainingObjective.LoadCheckpoint(first, Model(hidden: 8));
        using var b = TorchTrainingObjective.LoadCheckpoint(second, Model(hidden: 8));
        a.eval();
        b.eval();
        using var noGrad = no_grad();

        Assert.True(a.call(validation.Features).equal(b.call(validation.Features)).all().item<bool>());
    }

    [Fact]
    public void Constructor_MissingRequiredOptions_ListsEveryProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => new TorchTrainingObjective(new TorchTrainingOptions { Epochs = 0 }));

        foreach (string expected in new[] { "ModelFactory", "TrainingData", "ValidationData", "Loss", "Metric", "Epochs" })
        {
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LoadCheckpoint_TrialWithoutCheckpoint_Throws()
    {
        var trial = new TrialRecord { Id = 1, Number = 0, State = TrialState.Complete, Parameters = new Dictionary<string, object>() };
        using var model = Model(hidden: 2);

        Assert.Throws<InvalidOperationException>(() => TorchTrainingObjective.LoadCheckpoint(trial, model));
    }

    [Fact]
    public async Task With_an_architecture_and_a_model_store_a_complete_trial_saves_a_servable_model()
    {
        var store = new FileSystemArtifactStore(Path.Combine(folder, "artifacts"));
        TorchTrainingOptions options = Options(seed: 5);
        options.ModelFactory = null;
        options.Architecture = _ => SequentialArchitecture.Mlp(2, [8], 2, LayerSpec.Tanh) with { InputMean = [0.5f, -0.5f], InputScale = [2f, 2f] };
        options.ModelStore = store;

        TrialRecord trial = await RunOneTrialAsync(options, "saved model");

        TrialModel model = await TrialModels.GetAsync(store, "saved model", trial);
        Assert.Equal(ModelManifest.TorchSharpKind, model.Manifest.Kind);
        Assert.Equal(ModelManifest.ClassificationTask, model.Manifest.Task);
        Assert.Equal(["0", "1"], model.Manifest.Classes);
        Assert.Equal(2, model.Manifest.InstanceSize);
        Assert.Equal([SequentialArchitecture.FileName, TorchSharpModels.ModelFileName], model.Files.Order(StringComparer.Ordinal));

        (SequentialArchitecture architecture, nn.Module<Tensor, Tensor> loaded) = TorchSharpModels.Load(Path.Combine(store.TrialDirectory("saved model", trial.Number), TrialModels.ModelFolder));
        using (loaded)
        using (var checkpoint = TorchTrainingObjective.LoadCheckpoint(trial, architecture.Build()))
        using (no_grad())
        {
            checkpoint.eval();
            Assert.Equal([0.5f, -0.5f], architecture.InputMean);
            Assert.True(loaded.call(validation.Features).equal(checkpoint.call(validation.Features)).all().item<bool>(), "the saved model is the best checkpoint");
        }
    }

    [Fact]
    public void A_model_store_without_an_architecture_is_refused()
    {
        TorchTrainingOptions options = Options(seed: 1);
        options.ModelStore = new FileSystemArtifactStore(folder);
        var e = Assert.Throws<ArgumentException>(() => new TorchTrainingObjective(options));
        Assert.Contains("ModelStore needs Architecture", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Architectures_round_trip_and_invalid_ones_list_every_problem()
    {
        SequentialArchitecture mlp = SequentialArchitecture.Mlp(4, [16, 8], 3, LayerSpec.Gelu, dropout: 0.2);
        Assert.Equal(mlp.ToJson(), SequentialArchitecture.FromJson(mlp.ToJson()).ToJson());
        Assert.Equal(4, mlp.InputSize);
        Assert.Equal(3, mlp.OutputSize);

        string bad = "{\"layers\": [{\"type\": \"linear\", \"in\": 4, \"out\": 8}, {\"type\": \"conv\"}, {\"type\": \"linear\", \"in\": 5, \"out\": 2}], \"input_scale\": [1, 0, 1, 1], \"output\": \"argmax\"}";
        var e = Assert.Throws<FormatException>(() => SequentialArchitecture.FromJson(bad));
        foreach (string part in new[] { "type 'conv'", "takes 5 inputs, but the layer before gives 8", "input_scale", "output must be" })
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }
    }

    private static nn.Module<Tensor, Tensor> Model(long hidden) =>
        nn.Sequential(("hidden", nn.Linear(2, hidden)), ("relu", nn.ReLU()), ("out", nn.Linear(hidden, 2)));

    private static double CrossEntropy(Tensor output, Tensor target)
    {
        using Tensor loss = nn.functional.cross_entropy(output, target);
        return loss.item<float>();
    }

    // Two Gaussian blobs around (-1, -1) and (1, 1), drawn with their own generator.
    private static TensorData Blobs(int rows, int seed)
    {
        var random = new Random(seed);
        float[] x = new float[rows * 2];
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++)
        {
            y[i] = i % 2;
            float centre = y[i] == 0 ? -1f : 1f;
            x[2 * i] = centre + (float)(random.NextDouble() - 0.5) * 1.5f;
            x[(2 * i) + 1] = centre + (float)(random.NextDouble() - 0.5) * 1.5f;
        }

        return new TensorData(tensor(x, [rows, 2]), tensor(y));
    }

    private TorchTrainingOptions Options(long seed, int epochs = 3) => new()
    {
        ModelFactory = _ => Model(hidden: 8),
        TrainingData = training,
        ValidationData = validation,
        Loss = (output, target) => nn.functional.cross_entropy(output, target),
        Metric = CrossEntropy,
        MetricDirection = StudyDirection.Minimize,
        Epochs = epochs,
        Threads = 1,
        Seed = seed,
        CheckpointDirectory = folder,
    };

    private static async Task<TrialRecord> RunOneTrialAsync(TorchTrainingOptions options, string name, IPruner? pruner = null)
    {
        var space = new OptimizerSearchSpaceOptions { LearningRate = new FloatDistribution(0.01, 0.05, log: true), BatchSize = new IntDistribution(8, 16) };
        var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, name, OptimizerSearchSpace.Create(space), new StudyOptions
        {
            Direction = options.MetricDirection,
            Seed = 11,
            Pruner = pruner,
        });

        await study.OptimizeAsync(new TorchTrainingObjective(options), new OptimizeOptions { TrialCount = 1, FailurePolicy = FailurePolicy.Stop });
        return Assert.Single(await study.GetTrialsAsync());
    }

    private sealed class StopAtStep(long step) : IPruner
    {
        public string Name => "stop-at-step";

        public string Settings => "{}";

        public bool ShouldPrune(PruningContext context) => context.CurrentStep >= step;
    }
}
