namespace Hpo.Internal;

/// <summary>Derives independent random streams from one seed, for tuners and pruners alike.</summary>
internal static class Seeds
{
    /// <summary>Mixes a seed and a stream number into a 31-bit seed (SplitMix64 finalizer).</summary>
    /// <param name="seed">The study's (or the component's own) seed.</param>
    /// <param name="stream">A stream number, such as a trial number.</param>
    /// <returns>A non-negative seed.</returns>
    public static int Derive(int seed, long stream)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)stream) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
