using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>The slice plot of one parameter: the objective value of every complete trial that has the parameter, against it.</summary>
/// <param name="Axis">The parameter's axis.</param>
/// <param name="Points">The points, by trial number.</param>
/// <param name="Absent">The number of complete trials without the parameter (a conditional parameter whose condition did not hold).</param>
public sealed record SlicePlot(ParameterAxis Axis, IReadOnlyList<SlicePoint> Points, int Absent)
{
    /// <summary>Computes the slice plot of every parameter, in the search space's order.</summary>
    /// <param name="data">The study.</param>
    /// <returns>One slice per parameter.</returns>
    public static IReadOnlyList<SlicePlot> ComputeAll(StudyData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return [.. data.SearchSpace.Parameters.Select(p => Compute(data, p.Name))];
    }

    /// <summary>Computes the slice plot of one parameter.</summary>
    /// <param name="data">The study.</param>
    /// <param name="parameter">The parameter's name.</param>
    /// <returns>The slice.</returns>
    /// <exception cref="ArgumentException">The study has no parameter of that name.</exception>
    public static SlicePlot Compute(StudyData data, string parameter)
    {
        ArgumentNullException.ThrowIfNull(data);
        ParameterAxis axis = PlotGuards.Axis(data, parameter, nameof(parameter));
        var points = new List<SlicePoint>(data.CompleteTrials.Count);
        int absent = 0;
        foreach (TrialRecord t in data.CompleteTrials)
        {
            if (axis.ValueOf(t) is double x)
            {
                points.Add(new SlicePoint(t.Number, x, t.Value!.Value));
            }
            else
            {
                absent++;
            }
        }

        return new SlicePlot(axis, points, absent);
    }
}
