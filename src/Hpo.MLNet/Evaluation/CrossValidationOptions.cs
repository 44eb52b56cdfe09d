using System.Globalization;

namespace Hpo.MLNet.Evaluation;

/// <summary>Options of a k-fold cross-validation (see <see cref="MulticlassCrossValidation"/>).</summary>
/// <remarks>Added in 0.1.</remarks>
public sealed class CrossValidationOptions
{
    /// <summary>Gets or sets the number of folds; at least 2.</summary>
    /// <value>The default value is 5.</value>
    public int FoldCount { get; set; } = CrossValidationDefaults.FoldCount;

    /// <summary>
    /// Gets or sets the seed of the evaluation: it seeds the <c>MLContext</c> that fits the pipeline (and so every trainer
    /// that does not set its own seed) and the assignment of rows to folds. The same seed, data and pipeline give the same
    /// metrics, and every trial of a study is scored on the same folds.
    /// </summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    /// <summary>Gets or sets the label column that the metrics compare predictions with (after the pipeline's transforms).</summary>
    /// <value>The default value is <c>"Label"</c>.</value>
    public string LabelColumnName { get; set; } = CrossValidationDefaults.LabelColumnName;

    /// <summary>
    /// Gets or sets a column whose equal values keep rows in the same fold (for example a user or group id, to avoid leaking
    /// between the training and test rows).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: rows are assigned to folds independently.</value>
    public string? SamplingKeyColumnName { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (FoldCount < 2)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"FoldCount must be at least 2, but got {FoldCount}."));
        }

        if (string.IsNullOrWhiteSpace(LabelColumnName))
        {
            problems.Add("LabelColumnName must name a column, but it is empty.");
        }

        if (SamplingKeyColumnName is { } key && string.IsNullOrWhiteSpace(key))
        {
            problems.Add("SamplingKeyColumnName must be null or name a column, but it is blank.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The '{nameof(CrossValidationOptions)}' are invalid.{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "- " + p))}");
        }
    }
}

/// <summary>The defaults of <see cref="CrossValidationOptions"/>.</summary>
internal static class CrossValidationDefaults
{
    public const int FoldCount = 5;

    public const string LabelColumnName = "Label";
}
