using Hpo.MLNet.Evaluation;

namespace Hpo.MLNet.Tests.Evaluation;

public class MulticlassCrossValidationResultTests
{
    private static readonly MulticlassCrossValidationResult Three = new(
    [
        new MulticlassFoldMetrics(0, 0.9, 0.8, 0.3),
        new MulticlassFoldMetrics(1, 1.0, 1.0, 0.1),
        new MulticlassFoldMetrics(2, 0.8, 0.9, 0.5),
    ]);

    [Fact]
    public void Means_ThreeFolds_AverageEachMetric()
    {
        Assert.Equal(0.9, Three.MicroAccuracy, 12);
        Assert.Equal(0.9, Three.MacroAccuracy, 12);
        Assert.Equal(0.3, Three.LogLoss, 12);
        Assert.Equal(Three.LogLoss, Three.Mean(MulticlassMetric.LogLoss));
    }

    [Fact]
    public void StandardDeviation_ThreeFolds_IsTheSampleStandardDeviation()
    {
        // Micro accuracies 0.9, 1.0, 0.8: squared deviations sum to 0.02, over n-1 = 2 gives 0.01.
        Assert.Equal(0.1, Three.StandardDeviation(MulticlassMetric.MicroAccuracy), 12);
        Assert.Equal(0, new MulticlassCrossValidationResult([new MulticlassFoldMetrics(0, 1, 1, 0)]).StandardDeviation(MulticlassMetric.MicroAccuracy));
    }

    [Fact]
    public void Constructor_NoFolds_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new MulticlassCrossValidationResult([]));
        Assert.Throws<ArgumentException>(() => new MulticlassCrossValidationResult([null!]));
    }

    [Fact]
    public void Mean_UndefinedMetric_ThrowsArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Three.Mean((MulticlassMetric)42));
    }
}
