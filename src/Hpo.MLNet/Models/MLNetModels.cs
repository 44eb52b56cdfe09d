using Hpo.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hpo.MLNet.Models;

/// <summary>Saves a fitted ML.NET model as a trial's model (<c>MLContext.Model.Save</c> plus a manifest).</summary>
/// <remarks>Added in 0.2.</remarks>
public static class MLNetModels
{
    /// <summary>The model file's name in a model folder.</summary>
    public const string ModelFileName = "model.zip";

    /// <summary>
    /// Describes a fitted model: its inputs are the <see cref="float"/> columns (scalars and fixed-size vectors) of
    /// <paramref name="inputSchema"/> except the excluded ones (the label); a model whose <c>Score</c> column is a vector, or that
    /// has a <c>Probability</c> column, is a classifier (its classes from the score's slot names), one with a scalar score a regressor.
    /// </summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputSchema">The schema of the data it was fitted on.</param>
    /// <param name="excludedColumns">The columns a prediction does not give (the label, a sampling key).</param>
    /// <returns>The manifest (without study and trial).</returns>
    /// <exception cref="ArgumentException">An input column is not of type <see cref="float"/>, or the model has no <c>Score</c> column.</exception>
    public static ModelManifest Describe(ITransformer model, DataViewSchema inputSchema, params IEnumerable<string?> excludedColumns)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(excludedColumns);
        var excluded = new HashSet<string>(excludedColumns.OfType<string>(), StringComparer.Ordinal);
        var inputs = new List<ModelInput>();
        foreach (DataViewSchema.Column column in inputSchema.Where(c => !c.IsHidden && !excluded.Contains(c.Name)))
        {
            inputs.Add(column.Type switch
            {
                NumberDataViewType t when t.RawType == typeof(float) => new ModelInput(column.Name, []),
                VectorDataViewType { ItemType.RawType: Type r, Size: > 0 } v when r == typeof(float) => new ModelInput(column.Name, [v.Size]),
                _ => throw new ArgumentException(
                    $"Input column '{column.Name}' is of type {column.Type}, but a served model's inputs must be Single scalars or fixed-size Single vectors; exclude it or convert it in the pipeline.",
                    nameof(inputSchema)),
            });
        }

        DataViewSchema output = model.GetOutputSchema(inputSchema);
        DataViewSchema.Column score = output.GetColumnOrNull("Score")
            ?? throw new ArgumentException("The model has no 'Score' column: only classification and regression models can be served.", nameof(model));
        string task;
        IReadOnlyList<string>? classes = null;
        if (output.GetColumnOrNull("Probability") is not null)
        {
            task = ModelManifest.ClassificationTask;
            classes = ["false", "true"];
        }
        else if (score.Type is VectorDataViewType)
        {
            task = ModelManifest.ClassificationTask;
            if (score.HasSlotNames())
            {
                VBuffer<ReadOnlyMemory<char>> names = default;
                score.GetSlotNames(ref names);
                classes = [.. names.DenseValues().Select(n => n.ToString())];
            }
        }
        else
        {
            task = ModelManifest.RegressionTask;
        }

        return new ModelManifest
        {
            Kind = ModelManifest.MLNetKind,
            Task = task,
            ModelFile = ModelFileName,
            Inputs = inputs,
            Classes = classes,
        };
    }

    /// <summary>Saves a fitted model as a trial's model in an artifact store.</summary>
    /// <param name="store">The artifact store.</param>
    /// <param name="trial">The trial.</param>
    /// <param name="ml">The context the model was fitted with.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputSchema">The schema of the data it was fitted on.</param>
    /// <param name="excludedColumns">The columns a prediction does not give (the label).</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the model is stored.</returns>
    public static async ValueTask SaveAsync(IArtifactStore store, Trials.ITrial trial, MLContext ml, ITransformer model, DataViewSchema inputSchema, IEnumerable<string?> excludedColumns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ModelManifest manifest = Describe(model, inputSchema, excludedColumns);
        string folder = Path.Combine(Path.GetTempPath(), "hpo-mlnet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string file = Path.Combine(folder, ModelFileName);
            ml.Model.Save(model, inputSchema, file);
            await TrialModels.SaveAsync(store, trial, manifest, new Dictionary<string, string> { [ModelFileName] = file }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
