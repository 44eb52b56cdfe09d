namespace Hpo.Benchmarks.Suite;

/// <summary>Shekel's function with m = 10 in 4-D on [0, 10]^4: ten narrow wells, the deepest near (4, 4, 4, 4).</summary>
public sealed class Shekel10 : BoxFunction
{
    private static readonly double[] Beta = [0.1, 0.2, 0.2, 0.4, 0.4, 0.6, 0.3, 0.7, 0.5, 0.5];

    private static readonly double[][] C =
    [
        [4.0, 1.0, 8.0, 6.0, 3.0, 2.0, 5.0, 8.0, 6.0, 7.0],
        [4.0, 1.0, 8.0, 6.0, 7.0, 9.0, 3.0, 1.0, 2.0, 3.6],
        [4.0, 1.0, 8.0, 6.0, 3.0, 2.0, 5.0, 8.0, 6.0, 7.0],
        [4.0, 1.0, 8.0, 6.0, 7.0, 9.0, 3.0, 1.0, 2.0, 3.6],
    ];

    /// <summary>Initializes a new instance of the <see cref="Shekel10"/> class.</summary>
    public Shekel10()
        : base([0, 0, 0, 0], [10, 10, 10, 10])
    {
    }

    /// <inheritdoc/>
    public override string Name => "shekel10";

    /// <inheritdoc/>
    public override int Budget => 100;

    /// <inheritdoc/>
    /// <remarks>The value at <see cref="Minimizer"/>, found by coordinate search down to single ulps (-10.5364 in the literature).</remarks>
    public override double FStar => -10.536443153483528;

    /// <summary>Gets the global minimiser as doubles.</summary>
    public static IReadOnlyList<double> Minimizer { get; } = [4.000746871, 3.999509480999999, 4.0007468699999995, 3.999509479999999];

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x)
    {
        double outer = 0.0;
        for (int i = 0; i < Beta.Length; i++)
        {
            double inner = 0.0;
            for (int j = 0; j < 4; j++)
            {
                double dd = x[j] - C[j][i];
                inner = inner + (dd * dd);
            }

            outer = outer + (1.0 / (inner + Beta[i]));
        }

        return -outer;
    }
}
