using Microsoft.ML.Data;

namespace Hpo.Samples.Iris;

/// <summary>One row of data/iris.csv: four measurements in centimetres and the species (0, 1 or 2).</summary>
internal sealed class IrisRow
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
