namespace Hpo.Visualization.Plots;

/// <summary>One complete trial's value on the optimization history.</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="Value">Its objective value.</param>
/// <param name="BestSoFar">The best value among the complete trials numbered up to and including this one.</param>
/// <param name="IsImprovement">Whether this trial set a new best value.</param>
public readonly record struct HistoryPoint(int Number, double Value, double BestSoFar, bool IsImprovement);
