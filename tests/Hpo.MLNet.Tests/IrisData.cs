using Hpo.MLNet.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hpo.MLNet.Tests;

/// <summary>The Iris data set (150 rows, 3 balanced classes) and a LightGbm pipeline over it.</summary>
internal static class IrisData
{
    public static readonly string Path = System.IO.Path.Combine(AppContext.BaseDirectory, "data", "iris.csv");

    public static readonly LightGbmParameters Reasonable = new()
    {
        LearningRate = 0.1,
        NumberOfLeaves = 8,
        MinimumExampleCountPerLeaf = 5,
        NumberOfIterations = 100,
        L2Regularization = 0.01,
    };

    public static IDataView Load() =>
        new MLContext(seed: 0).Data.LoadFromTextFile<Row>(Path, hasHeader: true, separatorChar: ',');

    public static IEstimator<ITransformer> Pipeline(MLContext ml, LightGbmParameters parameters) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", nameof(Row.SepalLength), nameof(Row.SepalWidth), nameof(Row.PetalLength), nameof(Row.PetalWidth)))
            .Append(ml.MulticlassClassification.Trainers.LightGbm(parameters.ToMulticlassOptions()));

    public sealed class Row
    {
        [LoadColumn(0)]
        public float SepalLength { get; set; }

        [LoadColumn(1)]
        public float SepalWidth { get; set; }

        [LoadColumn(2)]
        public float PetalLength { get; set; }

        [LoadColumn(3)]
        public float PetalWidth { get; set; }

        [LoadColumn(4)]
        public float Label { get; set; }
    }
}
