namespace Hpo.Benchmarks.Suite;

/// <summary>Rosenbrock's valley in 5-D on [-5, 10]^5; minimum 0 at (1, 1, 1, 1, 1).</summary>
public sealed class Rosenbrock5 : BoxFunction
{
    /// <summary>Initializes a new instance of the <see cref="Rosenbrock5"/> class.</summary>
    public Rosenbrock5()
        : base([-5, -5, -5, -5, -5], [10, 10, 10, 10, 10])
    {
    }

    /// <inheritdoc/>
    public override string Name => "rosenbrock5";

    /// <inheritdoc/>
    public override int Budget => 100;

    /// <inheritdoc/>
    public override double FStar => 0.0;

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x)
    {
        double s = 0.0;
        for (int i = 0; i < 4; i++)
        {
            double t1 = x[i + 1] - (x[i] * x[i]);
            double t2 = x[i] - 1.0;
            s = s + (((100.0 * t1) * t1) + (t2 * t2));
        }

        return s;
    }
}
