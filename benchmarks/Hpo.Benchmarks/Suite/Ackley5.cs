namespace Hpo.Benchmarks.Suite;

/// <summary>Ackley's function in 5-D on [-32.768, 32.768]^5; minimum 0 at the origin, many local minima.</summary>
public sealed class Ackley5 : BoxFunction
{
    private const double Bound = 32.768;

    /// <summary>Initializes a new instance of the <see cref="Ackley5"/> class.</summary>
    public Ackley5()
        : base([-Bound, -Bound, -Bound, -Bound, -Bound], [Bound, Bound, Bound, Bound, Bound])
    {
    }

    /// <inheritdoc/>
    public override string Name => "ackley5";

    /// <inheritdoc/>
    public override int Budget => 100;

    /// <inheritdoc/>
    /// <remarks>f(0) evaluates to 4.44e-16 in doubles; f* is taken as exactly 0.</remarks>
    public override double FStar => 0.0;

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x) => Ackley(x);

    /// <summary>Ackley's formula in as many dimensions as <paramref name="x"/> has (a = 20, b = 0.2, c = 2 pi).</summary>
    /// <param name="x">The point.</param>
    /// <returns>The function's value.</returns>
    internal static double Ackley(ReadOnlySpan<double> x)
    {
        const double a = 20.0;
        const double b = 0.2;
        const double c = 2.0 * Math.PI;
        double d = x.Length;
        double s1 = 0.0;
        double s2 = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            s1 = s1 + (x[i] * x[i]);
            s2 = s2 + Math.Cos(c * x[i]);
        }

        return ((((-a) * Math.Exp((-b) * Math.Sqrt(s1 / d))) - Math.Exp(s2 / d)) + a) + Math.E;
    }
}
