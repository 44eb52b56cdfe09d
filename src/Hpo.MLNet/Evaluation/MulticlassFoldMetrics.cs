namespace Hpo.MLNet.Evaluation;

/// <summary>The metrics of one fold of a multiclass cross-validation.</summary>
/// <param name="Fold">The fold's index, from 0.</param>
/// <param name="MicroAccuracy">The fraction of the fold's test rows classified correctly.</param>
/// <param name="MacroAccuracy">The mean over classes of each class's accuracy on the fold's test rows.</param>
/// <param name="LogLoss">The mean negative log-likelihood of the true class on the fold's test rows.</param>
/// <remarks>Added in 0.1.</remarks>
public sealed record MulticlassFoldMetrics(int Fold, double MicroAccuracy, double MacroAccuracy, double LogLoss)
{
    /// <summary>Gets one of the metrics.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>Its value on this fold.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined value.</exception>
    public double Get(MulticlassMetric metric) => metric switch
    {
        MulticlassMetric.MicroAccuracy => MicroAccuracy,
        MulticlassMetric.MacroAccuracy => MacroAccuracy,
        MulticlassMetric.LogLoss => LogLoss,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "The metric must be MicroAccuracy, MacroAccuracy or LogLoss."),
    };
}
