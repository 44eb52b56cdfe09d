namespace Hpo.Benchmarks.Suite;

/// <summary>
/// The suite's reproducible observation noise: a standard normal draw per (run seed, evaluation index), by Box-Muller on two
/// SplitMix64 outputs, so that the Python harness (benchmarks/optuna/suite_functions.py, <c>noise</c>) draws the same
/// values bit for bit.
/// </summary>
public static class SuiteNoise
{
    /// <summary>Gets the standard normal draw for evaluation <paramref name="index"/> (from 0) of the run with <paramref name="seed"/>.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="index">The evaluation's index within the run.</param>
    /// <returns>The draw.</returns>
    public static double Normal(int seed, long index)
    {
        ulong state = ((ulong)(uint)seed << 32) ^ (ulong)(uint)index;
        ulong a = Next(ref state);
        ulong b = Next(ref state);
        double u1 = ((a >> 11) + 1) * (1.0 / 9007199254740992.0);
        double u2 = (b >> 11) * (1.0 / 9007199254740992.0);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos((2.0 * Math.PI) * u2);
    }

    private static ulong Next(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
