namespace Hpo.MLNet.Evaluation;

/// <summary>A multiclass classification metric, averaged over the folds of a cross-validation.</summary>
/// <remarks>Added in 0.1.</remarks>
public enum MulticlassMetric
{
    /// <summary>The fraction of rows classified correctly (maximize).</summary>
    MicroAccuracy = 0,

    /// <summary>The mean over classes of each class's accuracy, so every class counts alike (maximize).</summary>
    MacroAccuracy = 1,

    /// <summary>The mean negative log-likelihood of the true class (minimize).</summary>
    LogLoss = 2,
}
