using System.Globalization;
using Hpo.MLNet.Evaluation;
using Hpo.Objectives;
using Hpo.Trials;
using Microsoft.ML;

namespace Hpo.MLNet.Objectives;

/// <summary>
/// An objective that cross-validates an ML.NET multiclass pipeline built from each trial's parameters and returns the mean of
/// one metric over the folds. The means of all three metrics are kept with the trial as user attributes.
/// </summary>
/// <remarks>
/// <para>
/// Every trial is scored on the same folds (<see cref="CrossValidationOptions.Seed"/>), so differences between trials come
/// from their parameters, not from the split. The evaluation runs on a thread-pool thread, so a study's trial timeout and
/// cancellation take effect; cancellation stops it before the next fold.
/// </para>
/// <para>
/// Pair <see cref="MulticlassMetric.MicroAccuracy"/> and <see cref="MulticlassMetric.MacroAccuracy"/> with a study that
/// maximizes, and <see cref="MulticlassMetric.LogLoss"/> with one that minimizes.
/// </para>
/// <para>Added in 0.1.</para>
/// </remarks>
/// <example>
/// <code>
/// var objective = new MulticlassCrossValidationObjective(data, (ml, trial) =>
///     ml.Transforms.Conversion.MapValueToKey("Label")
///         .Append(ml.Transforms.Concatenate("Features", "A", "B"))
///         .Append(ml.MulticlassClassification.Trainers.LightGbm(LightGbmParameters.FromTrial(trial).ToMulticlassOptions())));
/// </code>
/// </example>
public sealed class MulticlassCrossValidationObjective : IObjective
{
    /// <summary>The user attribute that holds the mean micro accuracy over the folds.</summary>
    public const string MicroAccuracyAttribute = "cv_micro_accuracy";

    /// <summary>The user attribute that holds the mean macro accuracy over the folds.</summary>
    public const string MacroAccuracyAttribute = "cv_macro_accuracy";

    /// <summary>The user attribute that holds the mean log loss over the folds.</summary>
    public const string LogLossAttribute = "cv_log_loss";

    private readonly IDataView data;
    private readonly Func<MLContext, ITrial, IEstimator<ITransformer>> createPipeline;
    private readonly CrossValidationOptions options;

    /// <summary>Initializes a new instance of the <see cref="MulticlassCrossValidationObjective"/> class.</summary>
    /// <param name="data">The data to cross-validate on.</param>
    /// <param name="createPipeline">Builds a trial's pipeline (transforms and trainer) with the given context.</param>
    /// <param name="metric">The metric whose mean over the folds is the trial's value.</param>
    /// <param name="options">The cross-validation options, copied here; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="createPipeline"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public MulticlassCrossValidationObjective(IDataView data, Func<MLContext, ITrial, IEstimator<ITransformer>> createPipeline, MulticlassMetric metric = MulticlassMetric.MicroAccuracy, CrossValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(createPipeline);
        if (!Enum.IsDefined(metric))
        {
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "The metric must be MicroAccuracy, MacroAccuracy or LogLoss.");
        }

        options ??= new CrossValidationOptions();
        options.Validate();
        this.data = data;
        this.createPipeline = createPipeline;
        this.options = new CrossValidationOptions
        {
            FoldCount = options.FoldCount,
            Seed = options.Seed,
            LabelColumnName = options.LabelColumnName,
            SamplingKeyColumnName = options.SamplingKeyColumnName,
        };
        Metric = metric;
    }

    /// <summary>Gets the metric whose mean over the folds is the trial's value.</summary>
    public MulticlassMetric Metric { get; }

    /// <summary>Gets the number of folds.</summary>
    public int FoldCount => options.FoldCount;

    /// <summary>Gets the seed of the folds and of the <c>MLContext</c>.</summary>
    public int Seed => options.Seed;

    /// <inheritdoc/>
    public async ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        MulticlassCrossValidationResult result = await Task.Run(
            () => MulticlassCrossValidation.Evaluate(data, ml => createPipeline(ml, trial), options, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        await trial.SetUserAttributeAsync(MicroAccuracyAttribute, Invariant(result.MicroAccuracy), cancellationToken).ConfigureAwait(false);
        await trial.SetUserAttributeAsync(MacroAccuracyAttribute, Invariant(result.MacroAccuracy), cancellationToken).ConfigureAwait(false);
        await trial.SetUserAttributeAsync(LogLossAttribute, Invariant(result.LogLoss), cancellationToken).ConfigureAwait(false);
        return result.Mean(Metric);
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
