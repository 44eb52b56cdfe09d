namespace Hpo.Benchmarks.Suite;

/// <summary>Hartmann 6-D on [0, 1]^6, with four local minima.</summary>
public sealed class Hartmann6 : BoxFunction
{
    internal static readonly double[] Alpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[][] A =
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ];

    private static readonly double[][] P =
    [
        [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ];

    /// <summary>Initializes a new instance of the <see cref="Hartmann6"/> class.</summary>
    public Hartmann6()
        : base([0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1])
    {
    }

    /// <inheritdoc/>
    public override string Name => "hartmann6";

    /// <inheritdoc/>
    public override int Budget => 100;

    /// <inheritdoc/>
    public override double FStar => -3.322368011415515;

    /// <summary>Gets the global minimiser.</summary>
    public static IReadOnlyList<double> Minimizer { get; } =
        [0.20168951022914028, 0.15001069359189184, 0.4768739710429654, 0.2753324295798928, 0.31165161608190733, 0.6573005338241086];

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x) => Evaluate(x, Alpha, A, P);

    /// <summary>
    /// The Hartmann family's formula, shared by the 3-D and 6-D members: -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2), both
    /// sums left to right.
    /// </summary>
    /// <param name="x">The point, one coordinate per column of <paramref name="a"/>.</param>
    /// <param name="alpha">The weights of the four bumps.</param>
    /// <param name="a">The bumps' precisions.</param>
    /// <param name="p">The bumps' centres.</param>
    /// <returns>The function's value.</returns>
    internal static double Evaluate(ReadOnlySpan<double> x, double[] alpha, double[][] a, double[][] p)
    {
        double outer = 0.0;
        for (int i = 0; i < alpha.Length; i++)
        {
            double inner = 0.0;
            for (int j = 0; j < x.Length; j++)
            {
                double dd = x[j] - p[i][j];
                inner = inner + ((a[i][j] * dd) * dd);
            }

            outer = outer + (alpha[i] * Math.Exp(-inner));
        }

        return -outer;
    }
}
