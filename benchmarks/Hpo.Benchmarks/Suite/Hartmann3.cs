namespace Hpo.Benchmarks.Suite;

/// <summary>Hartmann 3-D on [0, 1]^3, with four local minima (the 6-D member's weights, its own bumps).</summary>
public sealed class Hartmann3 : BoxFunction
{
    private static readonly double[][] A =
    [
        [3.0, 10.0, 30.0],
        [0.1, 10.0, 35.0],
        [3.0, 10.0, 30.0],
        [0.1, 10.0, 35.0],
    ];

    private static readonly double[][] P =
    [
        [0.3689, 0.1170, 0.2673],
        [0.4699, 0.4387, 0.7470],
        [0.1091, 0.8732, 0.5547],
        [0.03815, 0.5743, 0.8828],
    ];

    /// <summary>Initializes a new instance of the <see cref="Hartmann3"/> class.</summary>
    public Hartmann3()
        : base([0, 0, 0], [1, 1, 1])
    {
    }

    /// <inheritdoc/>
    public override string Name => "hartmann3";

    /// <inheritdoc/>
    public override int Budget => 60;

    /// <inheritdoc/>
    /// <remarks>The value at <see cref="Minimizer"/>, found by coordinate search down to single ulps (-3.86278 in the literature).</remarks>
    public override double FStar => -3.8627821478207545;

    /// <summary>Gets the global minimiser as doubles.</summary>
    public static IReadOnlyList<double> Minimizer { get; } = [0.11461433099999999, 0.5556488499999997, 0.8525469499999998];

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x) => Hartmann6.Evaluate(x, Hartmann6.Alpha, A, P);
}
