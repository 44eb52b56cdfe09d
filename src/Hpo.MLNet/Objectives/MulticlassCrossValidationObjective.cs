using System.Globalization;
using Hpo.MLNet.Evaluation;
using Hpo.MLNet.Models;
using Hpo.Models;
using Hpo.Objectives;
using Hpo.Storage;
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

    /// <summary>
    /// Gets the artifact store where each trial, after its cross-validation, saves its pipeline refit on the whole data
    /// (<c>MLContext.Model.Save</c>, <see cref="MLNetModels.ModelFileName"/>) as its model, so that the best trial's model can be
    /// published (<see cref="ModelRepository.PublishBestAsync"/>, <c>hpo export</c>); or <see langword="null"/> to save nothing.
    /// </summary>
    /// <value>The default value is <see langword="null"/>. Refitting costs one more fit per trial (a fold's fit on all the rows).</value>
    public IArtifactStore? ModelStore { get; init; }

    /// <summary>Fits a trial's pipeline on the whole data, with a context seeded like the cross-validation's.</summary>
    /// <param name="trial">The trial whose parameters build the pipeline.</param>
    /// <returns>The context and the fitted model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="trial"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The pipeline delegate returned <see langword="null"/>.</exception>
    public (MLContext Context, ITransformer Model) Refit(ITrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var ml = new MLContext(options.Seed);
        IEstimator<ITransformer> pipeline = createPipeline(ml, trial)
            ?? throw new InvalidOperationException("The createPipeline delegate returned null; it must return the estimator to fit.");
        return (ml, pipeline.Fit(data));
    }

    /// <summary>Refits a trial's pipeline on the whole data and saves it as the trial's model in an artifact store.</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="store">The artifact store.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the model is stored.</returns>
    public async ValueTask SaveModelAsync(ITrial trial, IArtifactStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        (MLContext ml, ITransformer model) = await Task.Run(() => Refit(trial), cancellationToken).ConfigureAwait(false);
        await MLNetModels.SaveAsync(store, trial, ml, model, data.Schema, [options.LabelColumnName, options.SamplingKeyColumnName], cancellationToken).ConfigureAwait(false);
    }

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
        if (ModelStore is { } store)
        {
            await SaveModelAsync(trial, store, cancellationToken).ConfigureAwait(false);
        }
        return result.Mean(Metric);
    }

    /// <summary>
    /// Refits the study's best trial's pipeline on the whole data and publishes it as the next version of a model in a model
    /// repository, with its manifest (study, trial, value): the best trial's model in one call, for a study tuned without a
    /// <see cref="ModelStore"/>.
    /// </summary>
    /// <param name="storage">The storage of the study.</param>
    /// <param name="studyName">The study's name.</param>
    /// <param name="repository">The model repository.</param>
    /// <param name="name">The model's name in the repository.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="InvalidOperationException">The study does not exist or has no complete trial.</exception>
    public async Task<ModelVersion> PublishBestAsync(IStudyStorage storage, string studyName, ModelRepository repository, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(studyName);
        ArgumentNullException.ThrowIfNull(repository);
        StudyRecord study = await storage.GetStudyAsync(studyName, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"There is no study named '{studyName}' in the storage.");
        TrialRecord best = await storage.GetBestTrialAsync(study.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Study '{studyName}' has no complete trial yet, so it has no best model.");
        var trial = new ReadOnlyTrial(study.Name, study.Definition.SearchSpace, best);
        (MLContext ml, ITransformer model) = await Task.Run(() => Refit(trial), cancellationToken).ConfigureAwait(false);
        ModelManifest manifest = MLNetModels.Describe(model, data.Schema, [options.LabelColumnName, options.SamplingKeyColumnName])
            .WithOrigin(study.Name, best.Number, best.Value, best.Parameters);
        return await repository.PublishAsync(name, manifest, (folder, _) =>
        {
            ml.Model.Save(model, data.Schema, Path.Combine(folder, MLNetModels.ModelFileName));
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
