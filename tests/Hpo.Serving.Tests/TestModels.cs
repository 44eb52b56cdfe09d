using Hpo.MLNet.Models;
using Hpo.MLNet.Tests;
using Hpo.Models;
using Hpo.TorchSharp.Models;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using static TorchSharp.torch;

namespace Hpo.Serving.Tests;

/// <summary>Tiny models trained on Iris, published into model repositories the way 'hpo export' does.</summary>
internal static class TestModels
{
    private static readonly Lazy<(byte[] Zip, ModelManifest Manifest)> Classifier = new(() => Train(regression: false));
    private static readonly Lazy<(byte[] Zip, ModelManifest Manifest)> Regressor = new(() => Train(regression: true));

    public static ModelManifest ClassifierManifest => Classifier.Value.Manifest;

    public static float[][] IrisRows() =>
        [.. File.ReadLines(IrisData.Path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',').Take(4).Select(c => float.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray())];

    public static Task<ModelVersion> PublishClassifierAsync(string basePath, string name = "iris") =>
        Publish(basePath, name, Classifier.Value);

    public static Task<ModelVersion> PublishRegressorAsync(string basePath, string name = "petal") =>
        Publish(basePath, name, Regressor.Value);

    /// <summary>Publishes an untrained-but-seeded MLP whose architecture standardizes nothing (softmax over 3 classes).</summary>
    public static Task<ModelVersion> PublishTorchAsync(string basePath, string name = "iris-mlp")
    {
        SequentialArchitecture architecture = SequentialArchitecture.Mlp(4, [8], 3, "tanh") with { InputMean = [5.8f, 3.0f, 3.8f, 1.2f], InputScale = [0.8f, 0.4f, 1.8f, 0.8f] };
        manual_seed(7);
        using var module = architecture.Build();
        string folder = Path.Combine(Path.GetTempPath(), "hpo-serving-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string checkpoint = Path.Combine(folder, TorchSharpModels.ModelFileName);
        module.save(checkpoint);
        return new ModelRepository(basePath).PublishAsync(name, TorchSharpModels.Describe(architecture), async (target, ct) =>
        {
            File.Copy(checkpoint, Path.Combine(target, TorchSharpModels.ModelFileName));
            await File.WriteAllTextAsync(Path.Combine(target, SequentialArchitecture.FileName), architecture.ToJson(), ct);
        });
    }

    /// <summary>What ML.NET's own prediction engine answers for the classifier (the reference the server must match).</summary>
    public static float[] ReferenceProbabilities(float[] row)
    {
        var ml = new MLContext(0);
        ITransformer model = ml.Model.Load(new MemoryStream(Classifier.Value.Zip), out _);
        var engine = ml.Model.CreatePredictionEngine<IrisData.Row, Scored>(model);
        return engine.Predict(new IrisData.Row { SepalLength = row[0], SepalWidth = row[1], PetalLength = row[2], PetalWidth = row[3] }).Score;
    }

    private static Task<ModelVersion> Publish(string basePath, string name, (byte[] Zip, ModelManifest Manifest) model) =>
        new ModelRepository(basePath).PublishAsync(name, model.Manifest with { Study = "tests", Trial = 0, Value = 0.9 }, (target, ct) =>
            File.WriteAllBytesAsync(Path.Combine(target, MLNetModels.ModelFileName), model.Zip, ct));

    private static (byte[] Zip, ModelManifest Manifest) Train(bool regression)
    {
        var ml = new MLContext(0);
        IDataView data = IrisData.Load();
        IEstimator<ITransformer> pipeline = regression
            ? ml.Transforms.Concatenate("Features", nameof(IrisData.Row.SepalLength), nameof(IrisData.Row.SepalWidth), nameof(IrisData.Row.PetalLength))
                .Append(ml.Transforms.CopyColumns("Label", nameof(IrisData.Row.PetalWidth)))
                .Append(ml.Regression.Trainers.Sdca(maximumNumberOfIterations: 20))
            : ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Concatenate("Features", nameof(IrisData.Row.SepalLength), nameof(IrisData.Row.SepalWidth), nameof(IrisData.Row.PetalLength), nameof(IrisData.Row.PetalWidth)))
                .Append(ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options { NumberOfIterations = 30, NumberOfLeaves = 4, Seed = 0, NumberOfThreads = 1 }));
        if (regression)
        {
            data = ml.Transforms.DropColumns("Label").Fit(data).Transform(data);
        }

        ITransformer model = pipeline.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        ModelManifest manifest = MLNetModels.Describe(model, data.Schema, regression ? [nameof(IrisData.Row.PetalWidth)] : ["Label"]);
        return (stream.ToArray(), manifest);
    }

    public sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }
}
