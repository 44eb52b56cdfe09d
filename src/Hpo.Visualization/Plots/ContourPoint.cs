namespace Hpo.Visualization.Plots;

/// <summary>One complete trial on a contour plot.</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="X">Its value of the first parameter (a choice's index for a categorical one).</param>
/// <param name="Y">Its value of the second parameter.</param>
/// <param name="Value">Its objective value.</param>
public readonly record struct ContourPoint(int Number, double X, double Y, double Value);
