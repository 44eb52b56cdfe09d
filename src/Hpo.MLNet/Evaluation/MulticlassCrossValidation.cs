using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hpo.MLNet.Evaluation;

/// <summary>Seeded k-fold cross-validation of an ML.NET multiclass classification pipeline.</summary>
/// <remarks>Added in 0.1.</remarks>
public static class MulticlassCrossValidation
{
    /// <summary>
    /// Fits a pipeline on k-1 folds and scores it on the remaining one, for each fold in turn, and returns the per-fold and
    /// mean metrics. The folds are those of <c>MLContext.Data.CrossValidationSplit</c> and the metrics those of
    /// <c>MLContext.MulticlassClassification.CrossValidate</c> with the same seed; running the folds here lets the evaluation
    /// stop between folds when it is cancelled.
    /// </summary>
    /// <param name="data">The data, with the columns the pipeline reads.</param>
    /// <param name="createPipeline">
    /// Builds the pipeline (transforms and trainer) with the given context. It is called once per evaluation with a new
    /// <see cref="MLContext"/> seeded with <see cref="CrossValidationOptions.Seed"/>, so the result does not depend on what ran
    /// before, and cancelling one evaluation does not affect another.
    /// </param>
    /// <param name="options">The options; <see langword="null"/> for 5 folds, seed 0 and the label column <c>"Label"</c>.</param>
    /// <param name="cancellationToken">Cancels the evaluation: it is checked before each fold (ML.NET has no public way to interrupt a fit that is running).</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="createPipeline"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="createPipeline"/> returned <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException">The evaluation was cancelled.</exception>
    /// <remarks>The work is CPU-bound and runs on the calling thread; each fold's rows are the same for the same seed and data.</remarks>
    public static MulticlassCrossValidationResult Evaluate(IDataView data, Func<MLContext, IEstimator<ITransformer>> createPipeline, CrossValidationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(createPipeline);
        options ??= new CrossValidationOptions();
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var ml = new MLContext(options.Seed);
        IEstimator<ITransformer> pipeline = createPipeline(ml)
            ?? throw new InvalidOperationException("The createPipeline delegate returned null; it must return the estimator to cross-validate.");
        IReadOnlyList<DataOperationsCatalog.TrainTestData> splits = ml.Data.CrossValidationSplit(data, options.FoldCount, options.SamplingKeyColumnName, options.Seed);
        var folds = new List<MulticlassFoldMetrics>(splits.Count);
        for (int fold = 0; fold < splits.Count; fold++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ITransformer model = pipeline.Fit(splits[fold].TrainSet);
            MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(splits[fold].TestSet), options.LabelColumnName);
            folds.Add(new MulticlassFoldMetrics(fold, metrics.MicroAccuracy, metrics.MacroAccuracy, metrics.LogLoss));
        }

        return new MulticlassCrossValidationResult(folds);
    }
}
