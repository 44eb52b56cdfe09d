namespace Hpo.Benchmarks.Suite;

/// <summary>Levy's function in 10-D on [-10, 10]^10: minimum 0 at (1, ..., 1), a rugged landscape of many local minima.</summary>
public sealed class Levy10 : BoxFunction
{
    private const int D = 10;

    /// <summary>Initializes a new instance of the <see cref="Levy10"/> class.</summary>
    public Levy10()
        : base([.. Enumerable.Repeat(-10.0, D)], [.. Enumerable.Repeat(10.0, D)])
    {
    }

    /// <inheritdoc/>
    public override string Name => "levy10";

    /// <inheritdoc/>
    public override int Budget => 150;

    /// <inheritdoc/>
    /// <remarks>f(1, ..., 1) evaluates to 1.5e-32 in doubles (sin(pi) is not 0); f* is taken as exactly 0.</remarks>
    public override double FStar => 0.0;

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x)
    {
        Span<double> w = stackalloc double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            w[i] = 1.0 + ((x[i] - 1.0) / 4.0);
        }

        double s0 = Math.Sin(Math.PI * w[0]);
        double f = s0 * s0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double wm = w[i] - 1.0;
            double si = Math.Sin((Math.PI * w[i]) + 1.0);
            f = f + ((wm * wm) * (1.0 + ((10.0 * si) * si)));
        }

        double wd = w[^1] - 1.0;
        double sd = Math.Sin((2.0 * Math.PI) * w[^1]);
        return f + ((wd * wd) * (1.0 + (sd * sd)));
    }
}
