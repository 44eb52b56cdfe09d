namespace Hpo.MLNet.Evaluation;

/// <summary>The per-fold and mean metrics of a multiclass cross-validation.</summary>
/// <remarks>Added in 0.1.</remarks>
public sealed class MulticlassCrossValidationResult
{
    /// <summary>Initializes a new instance of the <see cref="MulticlassCrossValidationResult"/> class.</summary>
    /// <param name="folds">The metrics of each fold.</param>
    /// <exception cref="ArgumentNullException"><paramref name="folds"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="folds"/> is empty or contains <see langword="null"/>.</exception>
    public MulticlassCrossValidationResult(IEnumerable<MulticlassFoldMetrics> folds)
    {
        ArgumentNullException.ThrowIfNull(folds);
        MulticlassFoldMetrics[] copy = [.. folds];
        if (copy.Length == 0)
        {
            throw new ArgumentException("A cross-validation result needs at least one fold, but got none.", nameof(folds));
        }

        if (Array.Exists(copy, f => f is null))
        {
            throw new ArgumentException("The folds cannot contain null.", nameof(folds));
        }

        Folds = copy;
    }

    /// <summary>Gets the metrics of each fold, in fold order.</summary>
    public IReadOnlyList<MulticlassFoldMetrics> Folds { get; }

    /// <summary>Gets the mean over folds of the micro accuracy (the fraction of rows classified correctly).</summary>
    public double MicroAccuracy => Mean(MulticlassMetric.MicroAccuracy);

    /// <summary>Gets the mean over folds of the macro accuracy (the mean of the per-class accuracies).</summary>
    public double MacroAccuracy => Mean(MulticlassMetric.MacroAccuracy);

    /// <summary>Gets the mean over folds of the log loss.</summary>
    public double LogLoss => Mean(MulticlassMetric.LogLoss);

    /// <summary>Gets the mean over folds of a metric.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The mean.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined value.</exception>
    public double Mean(MulticlassMetric metric) => Folds.Average(f => f.Get(metric));

    /// <summary>Gets the sample standard deviation over folds of a metric (0 with a single fold).</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The standard deviation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined value.</exception>
    public double StandardDeviation(MulticlassMetric metric)
    {
        if (Folds.Count < 2)
        {
            return 0;
        }

        double mean = Mean(metric);
        double sum = Folds.Sum(f => (f.Get(metric) - mean) * (f.Get(metric) - mean));
        return Math.Sqrt(sum / (Folds.Count - 1));
    }
}
