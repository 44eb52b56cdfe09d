using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>One complete trial on the parallel-coordinates plot.</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="Value">The trial's objective value.</param>
/// <param name="Positions">Its position on each parameter axis in [0, 1] (see <see cref="ParameterAxis.Normalize"/>), or
/// <see langword="null"/> where the trial does not have the parameter.</param>
public sealed record ParallelLine(int Number, double Value, IReadOnlyList<double?> Positions);
