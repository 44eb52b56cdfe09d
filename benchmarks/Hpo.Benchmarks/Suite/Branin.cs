namespace Hpo.Benchmarks.Suite;

/// <summary>Branin-Hoo, 2-D, x0 in [-5, 10], x1 in [0, 15]; three global minimisers.</summary>
public sealed class Branin : BoxFunction
{
    private static readonly double B = 5.1 / (4.0 * Math.PI * Math.PI);
    private static readonly double C = 5.0 / Math.PI;
    private static readonly double T = 1.0 / (8.0 * Math.PI);

    /// <summary>Initializes a new instance of the <see cref="Branin"/> class.</summary>
    public Branin()
        : base([-5.0, 0.0], [10.0, 15.0])
    {
    }

    /// <inheritdoc/>
    public override string Name => "branin";

    /// <inheritdoc/>
    public override int Budget => 50;

    /// <inheritdoc/>
    /// <remarks>f(PI, 2.275) in doubles; 5/(4 PI) is one ulp higher and is not used.</remarks>
    public override double FStar => 0.39788735772973816;

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x)
    {
        const double r = 6.0;
        const double s = 10.0;
        double x0 = x[0];
        double x1 = x[1];
        double u = ((x1 - ((B * x0) * x0)) + (C * x0)) - r;
        return (((1.0 * u) * u) + ((s * (1.0 - T)) * Math.Cos(x0))) + s;
    }
}
