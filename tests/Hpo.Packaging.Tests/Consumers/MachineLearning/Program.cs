// Tunes an ML.NET LightGbm classifier and a TorchSharp network on the same synthetic data, each in a study on SQLite, and
// prints each study's best trial. Usage: MachineLearning <sqlite-file>
using System.Globalization;
using System.Runtime.InteropServices;
using Hpo;
using Hpo.MLNet.Evaluation;
using Hpo.MLNet.Objectives;
using Hpo.MLNet.Trainers;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.TorchSharp.Models;
using Hpo.TorchSharp.Objectives;
using Hpo.Trials;
using Microsoft.ML;
using static TorchSharp.torch;
using Hpo.Registries;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: MachineLearning <sqlite-file>");
    return 2;
}

// 120 points of three classes: each class is a cloud around its own centre in four dimensions.
Row[] rows = Row.Synthetic(120, seed: 3);
await using IStudyStorage storage = StorageRegistry.Default.Open("sqlite:///" + Path.GetFullPath(args[0]));
Console.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}");

// ML.NET: LightGbm's parameters, scored by 3-fold cross-validated accuracy.
var ml = new MLContext(seed: 0);
IDataView data = ml.Data.LoadFromEnumerable(rows);
var lightGbm = new MulticlassCrossValidationObjective(
    data,
    (context, trial) => context.Transforms.Conversion.MapValueToKey("Label")
        .Append(context.Transforms.Concatenate("Features", nameof(Row.A), nameof(Row.B), nameof(Row.C), nameof(Row.D)))
        .Append(context.MulticlassClassification.Trainers.LightGbm(LightGbmParameters.FromTrial(trial).ToMulticlassOptions())),
    MulticlassMetric.MicroAccuracy,
    new CrossValidationOptions { FoldCount = 3, Seed = 0 });
Study mlStudy = await Study.CreateOrLoadAsync(storage, "lightgbm", LightGbmSearchSpace.Create(),
    new StudyOptions { Direction = StudyDirection.Maximize, Budget = 3, Seed = 1 });
await mlStudy.OptimizeAsync(lightGbm);
Print("lightgbm", await mlStudy.GetBestTrialAsync());

// TorchSharp: a small network's width and its optimizer, trained for a few epochs, scored by the validation loss.
using var training = new TensorData(Row.Features(rows[..90]), Row.Targets(rows[..90]));
using var validation = new TensorData(Row.Features(rows[90..]), Row.Targets(rows[90..]));
SearchSpace space = new SearchSpaceBuilder().AddInt("hidden", 4, 16).AddOptimizer().Build();
var network = new TorchTrainingObjective(new TorchTrainingOptions
{
    Architecture = trial => SequentialArchitecture.Mlp(4, [trial.Get<int>("hidden")], 3),
    TrainingData = training,
    ValidationData = validation,
    Loss = (output, target) => nn.functional.cross_entropy(output, target),
    Metric = (output, target) => nn.functional.cross_entropy(output, target).item<float>(),
    MetricDirection = StudyDirection.Minimize,
    Epochs = 3,
    Threads = 1,
    Seed = 1,
});
Study torchStudy = await Study.CreateOrLoadAsync(storage, "torch", space,
    new StudyOptions { Direction = StudyDirection.Minimize, Budget = 3, Seed = 1 });
await torchStudy.OptimizeAsync(network);
Print("torch", await torchStudy.GetBestTrialAsync());
return 0;

static void Print(string study, TrialRecord? best) =>
    Console.WriteLine(best is null
        ? $"{study}: no complete trial"
        : $"{study} best trial: {best.Number} {best.Value?.ToString("R", CultureInfo.InvariantCulture)}");

/// <summary>One synthetic example: four features and a class (0, 1 or 2).</summary>
internal sealed class Row
{
    public float A { get; set; }

    public float B { get; set; }

    public float C { get; set; }

    public float D { get; set; }

    public float Label { get; set; }

    public static Row[] Synthetic(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            int label = i % 3;
            float Noise() => (float)((random.NextDouble() * 2) - 1);
            return new Row { A = label + Noise(), B = (2 * label) + Noise(), C = -label + Noise(), D = Noise(), Label = label };
        }).ToArray();
    }

    public static Tensor Features(Row[] rows) =>
        tensor(rows.SelectMany(r => new[] { r.A, r.B, r.C, r.D }).ToArray(), [rows.Length, 4]);

    public static Tensor Targets(Row[] rows) => tensor(rows.Select(r => (long)r.Label).ToArray());
}
