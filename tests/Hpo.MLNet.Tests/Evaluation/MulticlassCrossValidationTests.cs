using Hpo.MLNet.Evaluation;
using Hpo.MLNet.Trainers;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hpo.MLNet.Tests.Evaluation;

public class MulticlassCrossValidationTests
{
    private static readonly IDataView Iris = IrisData.Load();

    [Fact]
    public void Evaluate_IrisWithReasonableLightGbm_AccuracyAboveNinetyPercent()
    {
        MulticlassCrossValidationResult result = MulticlassCrossValidation.Evaluate(Iris, ml => IrisData.Pipeline(ml, IrisData.Reasonable));

        Assert.Equal(5, result.Folds.Count);
        Assert.Equal([0, 1, 2, 3, 4], result.Folds.Select(f => f.Fold));
        Assert.True(result.MicroAccuracy > 0.9, $"micro accuracy {result.MicroAccuracy}");
        Assert.True(result.MacroAccuracy > 0.9, $"macro accuracy {result.MacroAccuracy}");
        Assert.InRange(result.LogLoss, 0, 1);
    }

    [Fact]
    public void Evaluate_SameSeed_GivesIdenticalMetricsPerFold()
    {
        var options = new CrossValidationOptions { Seed = 11 };

        MulticlassCrossValidationResult first = MulticlassCrossValidation.Evaluate(Iris, ml => IrisData.Pipeline(ml, IrisData.Reasonable), options);
        MulticlassCrossValidationResult second = MulticlassCrossValidation.Evaluate(Iris, ml => IrisData.Pipeline(ml, IrisData.Reasonable), options);

        Assert.Equal(first.Folds, second.Folds);
    }

    [Fact]
    public void Evaluate_OtherSeed_SplitsTheRowsDifferently()
    {
        MulticlassCrossValidationResult a = MulticlassCrossValidation.Evaluate(Iris, ml => IrisData.Pipeline(ml, IrisData.Reasonable), new CrossValidationOptions { Seed = 1 });
        MulticlassCrossValidationResult b = MulticlassCrossValidation.Evaluate(Iris, ml => IrisData.Pipeline(ml, IrisData.Reasonable), new CrossValidationOptions { Seed = 2 });

        Assert.NotEqual(a.Folds.Select(f => f.LogLoss), b.Folds.Select(f => f.LogLoss));
    }

    [Fact]
    public void Evaluate_SameSeed_MatchesMlNetCrossValidate()
    {
        const int seed = 5;
        MulticlassCrossValidationResult ours = MulticlassCrossValidation.Evaluate(Iris, ml => IrisData.Pipeline(ml, IrisData.Reasonable), new CrossValidationOptions { Seed = seed, FoldCount = 4 });

        var context = new MLContext(seed);
        var theirs = context.MulticlassClassification.CrossValidate(Iris, IrisData.Pipeline(context, IrisData.Reasonable), numberOfFolds: 4, seed: seed);

        Assert.Equal(theirs.Select(f => f.Metrics.MicroAccuracy), ours.Folds.Select(f => f.MicroAccuracy));
        Assert.Equal(theirs.Select(f => f.Metrics.MacroAccuracy), ours.Folds.Select(f => f.MacroAccuracy));
        Assert.Equal(theirs.Select(f => f.Metrics.LogLoss), ours.Folds.Select(f => f.LogLoss));
    }

    [Fact]
    public void Evaluate_CancelledAfterItStarted_ThrowsBeforeFittingAFold()
    {
        using var cts = new CancellationTokenSource();
        CountingEstimator? counting = null;

        Assert.ThrowsAny<OperationCanceledException>(() => MulticlassCrossValidation.Evaluate(Iris, ml =>
        {
            cts.Cancel();
            return counting = new CountingEstimator(IrisData.Pipeline(ml, IrisData.Reasonable));
        }, cancellationToken: cts.Token));
        Assert.Equal(0, counting!.Fits);
    }

    [Fact]
    public void Evaluate_ThreeFolds_FitsThePipelineOncePerFold()
    {
        CountingEstimator? counting = null;

        MulticlassCrossValidation.Evaluate(Iris, ml => counting = new CountingEstimator(IrisData.Pipeline(ml, IrisData.Reasonable)), new CrossValidationOptions { FoldCount = 3 });

        Assert.Equal(3, counting!.Fits);
    }

    [Fact]
    public void Evaluate_PipelineFactoryReturnsNull_ThrowsInvalidOperationException()
    {
        Assert.Throws<InvalidOperationException>(() => MulticlassCrossValidation.Evaluate(Iris, _ => null!));
    }

    [Fact]
    public void Evaluate_InvalidOptions_ThrowsArgumentExceptionListingProblems()
    {
        var e = Assert.Throws<ArgumentException>(() => MulticlassCrossValidation.Evaluate(Iris, ml => IrisData.Pipeline(ml, IrisData.Reasonable), new CrossValidationOptions { FoldCount = 1, LabelColumnName = "" }));

        Assert.Contains("The 'CrossValidationOptions' are invalid.", e.Message, StringComparison.Ordinal);
        Assert.Contains("FoldCount must be at least 2, but got 1.", e.Message, StringComparison.Ordinal);
        Assert.Contains("LabelColumnName", e.Message, StringComparison.Ordinal);
    }

    private sealed class CountingEstimator(IEstimator<ITransformer> inner) : IEstimator<ITransformer>
    {
        public int Fits { get; private set; }

        public ITransformer Fit(IDataView input)
        {
            Fits++;
            return inner.Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }
}
