namespace Hpo.Visualization.Plots;

/// <summary>One complete trial on a slice plot.</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="X">The parameter's value (a choice's index for a categorical parameter).</param>
/// <param name="Value">The trial's objective value.</param>
public readonly record struct SlicePoint(int Number, double X, double Value);
