using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>
/// Parallel coordinates: one vertical axis per parameter, one polyline per complete trial, coloured by its objective value.
/// </summary>
/// <param name="Axes">The parameter axes, in the search space's order.</param>
/// <param name="Lines">One line per complete trial, by number.</param>
/// <param name="ValueLow">The lowest objective value (0 without lines).</param>
/// <param name="ValueHigh">The highest objective value (0 without lines).</param>
public sealed record ParallelCoordinates(IReadOnlyList<ParameterAxis> Axes, IReadOnlyList<ParallelLine> Lines, double ValueLow, double ValueHigh)
{
    /// <summary>Computes the plot.</summary>
    /// <param name="data">The study.</param>
    /// <returns>The plot's data.</returns>
    public static ParallelCoordinates Compute(StudyData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ParameterAxis[] axes = [.. data.SearchSpace.Parameters.Select(ParameterAxis.For)];
        var lines = new List<ParallelLine>(data.CompleteTrials.Count);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (TrialRecord t in data.CompleteTrials)
        {
            var positions = new double?[axes.Length];
            for (int i = 0; i < axes.Length; i++)
            {
                positions[i] = axes[i].ValueOf(t) is double v ? axes[i].Normalize(v) : null;
            }

            double value = t.Value!.Value;
            lo = Math.Min(lo, value);
            hi = Math.Max(hi, value);
            lines.Add(new ParallelLine(t.Number, value, positions));
        }

        return lines.Count == 0 ? new ParallelCoordinates(axes, lines, 0, 0) : new ParallelCoordinates(axes, lines, lo, hi);
    }
}
