namespace Hpo.Benchmarks.Suite;

/// <summary>
/// Styblinski-Tang in 20-D on [-5, 5]^20: 0.5 sum (x^4 - 16 x^2 + 5 x), separable, 2^20 local minima, the global one at
/// x_i = -2.903534 (f* = -39.16617 d).
/// </summary>
public sealed class StyblinskiTang20 : BoxFunction
{
    private const int D = 20;

    /// <summary>Initializes a new instance of the <see cref="StyblinskiTang20"/> class.</summary>
    public StyblinskiTang20()
        : base([.. Enumerable.Repeat(-5.0, D)], [.. Enumerable.Repeat(5.0, D)])
    {
    }

    /// <inheritdoc/>
    public override string Name => "styblinski_tang20";

    /// <inheritdoc/>
    public override int Budget => 200;

    /// <inheritdoc/>
    /// <remarks>The value at x_i = -2.90353402 (the 1-D minimiser found by coordinate search down to single ulps).</remarks>
    public override double FStar => -783.3233140754284;

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            double x2 = x[i] * x[i];
            s = s + (((x2 * x2) - (16.0 * x2)) + (5.0 * x[i]));
        }

        return 0.5 * s;
    }
}
