using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>
/// The contour of two parameters: the complete trials that have both, and the objective interpolated on a regular grid by inverse
/// distance weighting (power 2, distances measured on the axes' normalised [0, 1] scales, so log axes are spaced logarithmically).
/// </summary>
/// <param name="XAxis">The first parameter's axis (horizontal).</param>
/// <param name="YAxis">The second parameter's axis (vertical).</param>
/// <param name="Points">The trials, by number.</param>
/// <param name="XGrid">The grid's horizontal positions, as parameter values, ascending.</param>
/// <param name="YGrid">The grid's vertical positions, as parameter values, ascending.</param>
/// <param name="Z">The interpolated value at (<c>XGrid[i]</c>, <c>YGrid[j]</c>) in <c>Z[j][i]</c>; empty without points.</param>
public sealed record ContourPlot(ParameterAxis XAxis, ParameterAxis YAxis, IReadOnlyList<ContourPoint> Points, IReadOnlyList<double> XGrid, IReadOnlyList<double> YGrid, IReadOnlyList<IReadOnlyList<double>> Z)
{
    /// <summary>The default number of grid positions along each axis.</summary>
    public const int DefaultGridSize = 48;

    /// <summary>The most trials the interpolation uses; a larger study contributes a uniform stride of its trials.</summary>
    public const int MaxInterpolationPoints = 2000;

    /// <summary>Computes the contour of two parameters.</summary>
    /// <param name="data">The study.</param>
    /// <param name="xParameter">The horizontal parameter.</param>
    /// <param name="yParameter">The vertical parameter.</param>
    /// <param name="gridSize">The grid positions along each numeric axis (a categorical axis has one per choice).</param>
    /// <returns>The contour.</returns>
    /// <exception cref="ArgumentException">A parameter is unknown, or both are the same.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gridSize"/> is less than 2.</exception>
    public static ContourPlot Compute(StudyData data, string xParameter, string yParameter, int gridSize = DefaultGridSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 2);
        ParameterAxis xa = PlotGuards.Axis(data, xParameter, nameof(xParameter));
        ParameterAxis ya = PlotGuards.Axis(data, yParameter, nameof(yParameter));
        if (xa.Name == ya.Name)
        {
            throw new ArgumentException($"A contour needs two different parameters, but got '{xParameter}' twice.", nameof(yParameter));
        }

        var points = new List<ContourPoint>();
        foreach (TrialRecord t in data.CompleteTrials)
        {
            if (xa.ValueOf(t) is double x && ya.ValueOf(t) is double y)
            {
                points.Add(new ContourPoint(t.Number, x, y, t.Value!.Value));
            }
        }

        double[] xs = Grid(xa, gridSize), ys = Grid(ya, gridSize);
        if (points.Count == 0)
        {
            return new ContourPlot(xa, ya, points, xs, ys, []);
        }

        int stride = Math.Max(1, (points.Count + MaxInterpolationPoints - 1) / MaxInterpolationPoints);
        ContourPoint[] used = [.. points.Where((_, i) => i % stride == 0)];
        double[] px = [.. used.Select(p => xa.Normalize(p.X))], py = [.. used.Select(p => ya.Normalize(p.Y))];
        var z = new IReadOnlyList<double>[ys.Length];
        for (int j = 0; j < ys.Length; j++)
        {
            double gy = ya.Normalize(ys[j]);
            var row = new double[xs.Length];
            for (int i = 0; i < xs.Length; i++)
            {
                double gx = xa.Normalize(xs[i]);
                double num = 0, den = 0;
                double exact = double.NaN;
                for (int k = 0; k < used.Length; k++)
                {
                    double dx = px[k] - gx, dy = py[k] - gy;
                    double d2 = (dx * dx) + (dy * dy);
                    if (d2 < 1e-18)
                    {
                        exact = used[k].Value;
                        break;
                    }

                    double w = 1 / d2;
                    num += w * used[k].Value;
                    den += w;
                }

                row[i] = double.IsNaN(exact) ? num / den : exact;
            }

            z[j] = row;
        }

        return new ContourPlot(xa, ya, points, xs, ys, z);
    }

    private static double[] Grid(ParameterAxis axis, int size)
    {
        if (axis.IsCategorical)
        {
            return [.. Enumerable.Range(0, axis.Categories.Count).Select(i => (double)i)];
        }

        double lo = axis.ToLinear(axis.Low), hi = axis.ToLinear(axis.High);
        var grid = new double[size];
        for (int i = 0; i < size; i++)
        {
            double v = lo + ((hi - lo) * i / (size - 1));
            grid[i] = axis.Log ? Math.Exp(v) : v;
        }

        grid[0] = axis.Low;
        grid[^1] = axis.High;
        return grid;
    }
}
