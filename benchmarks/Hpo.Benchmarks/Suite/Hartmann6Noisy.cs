namespace Hpo.Benchmarks.Suite;

/// <summary>
/// Hartmann 6-D observed through Gaussian noise of standard deviation 0.1 (about 3% of the function's range): the tuner sees
/// f(x) + 0.1 z, with z from <see cref="SuiteNoise"/>; a run is scored by the true value of the point its study recommends.
/// </summary>
public sealed class Hartmann6Noisy : BoxFunction
{
    private static readonly Hartmann6 Exact = new();

    /// <summary>Initializes a new instance of the <see cref="Hartmann6Noisy"/> class.</summary>
    public Hartmann6Noisy()
        : base([0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1])
    {
    }

    /// <inheritdoc/>
    public override string Name => "hartmann6_noisy";

    /// <inheritdoc/>
    public override int Budget => 100;

    /// <inheritdoc/>
    public override double FStar => Exact.FStar;

    /// <inheritdoc/>
    public override double NoiseSd => 0.1;

    /// <inheritdoc/>
    public override double Evaluate(ReadOnlySpan<double> x) => Exact.Evaluate(x);
}
