using System.Numerics;
using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// A scrambled Sobol sequence in [0, 1)^d: Sobol's digital sequence in base 2 with the direction numbers of Joe and Kuo
/// (2008) for the first 64 dimensions, randomized by a linear matrix scramble and a digital shift (Matoušek) so that no
/// point is fixed whatever the seed, not even the first.
/// </summary>
/// <remarks>
/// Dimensions beyond the table use the next primitive polynomials (found by testing the order of x modulo each polynomial)
/// with pseudo-random odd initial direction numbers; any such choice yields a valid digital sequence. Points are produced in
/// Gray-code order with 32 digits; each coordinate is offset by half of the last digit, so no coordinate is exactly 0.
/// </remarks>
internal sealed class SobolSequence
{
    private const int Digits = 32;

    // Joe & Kuo (2008), dimensions 2..64: degree s, coefficients a, initial direction numbers m_1..m_s.
    private static readonly int[][] JoeKuo =
    [
        [1, 0, 1], [2, 1, 1, 3], [3, 1, 1, 3, 1], [3, 2, 1, 1, 1], [4, 1, 1, 1, 3, 3], [4, 4, 1, 3, 5, 13],
        [5, 2, 1, 1, 5, 5, 17], [5, 4, 1, 1, 5, 5, 5], [5, 7, 1, 1, 7, 11, 19], [5, 11, 1, 1, 5, 1, 1],
        [5, 13, 1, 1, 1, 3, 11], [5, 14, 1, 3, 5, 5, 31], [6, 1, 1, 3, 3, 9, 7, 49], [6, 13, 1, 1, 1, 15, 21, 21],
        [6, 16, 1, 3, 1, 13, 27, 49], [6, 19, 1, 1, 1, 15, 7, 5], [6, 22, 1, 3, 1, 15, 13, 25], [6, 25, 1, 1, 5, 5, 19, 61],
        [7, 1, 1, 3, 7, 11, 23, 15, 103], [7, 4, 1, 3, 7, 13, 13, 15, 69], [7, 7, 1, 1, 3, 13, 7, 35, 63],
        [7, 8, 1, 3, 5, 9, 1, 25, 53], [7, 14, 1, 3, 1, 13, 9, 35, 107], [7, 19, 1, 3, 1, 5, 27, 61, 31],
        [7, 21, 1, 1, 5, 11, 19, 41, 61], [7, 28, 1, 3, 5, 3, 3, 13, 69], [7, 31, 1, 1, 7, 13, 1, 19, 1],
        [7, 32, 1, 3, 7, 5, 13, 19, 59], [7, 37, 1, 1, 3, 9, 25, 29, 41], [7, 41, 1, 3, 5, 13, 23, 1, 55],
        [7, 42, 1, 3, 7, 3, 13, 59, 17], [7, 50, 1, 3, 1, 3, 5, 53, 69], [7, 55, 1, 1, 5, 5, 23, 33, 13],
        [7, 56, 1, 1, 7, 7, 1, 61, 123], [7, 59, 1, 1, 7, 9, 13, 61, 49], [7, 62, 1, 3, 3, 5, 3, 55, 33],
        [8, 14, 1, 3, 1, 15, 31, 13, 49, 245], [8, 21, 1, 3, 5, 15, 31, 59, 63, 97], [8, 22, 1, 3, 1, 11, 11, 11, 77, 249],
        [8, 38, 1, 3, 1, 11, 27, 43, 71, 9], [8, 47, 1, 1, 7, 15, 21, 11, 81, 45], [8, 49, 1, 3, 7, 3, 25, 31, 65, 79],
        [8, 50, 1, 3, 1, 1, 19, 11, 3, 205], [8, 52, 1, 1, 5, 9, 19, 21, 29, 157], [8, 56, 1, 3, 7, 11, 1, 33, 89, 185],
        [8, 67, 1, 3, 3, 3, 15, 9, 79, 71], [8, 70, 1, 3, 7, 11, 15, 39, 119, 27], [8, 84, 1, 1, 3, 1, 11, 31, 97, 225],
        [8, 97, 1, 1, 1, 3, 23, 43, 57, 177], [8, 103, 1, 3, 7, 7, 17, 17, 37, 71], [8, 115, 1, 3, 1, 5, 27, 63, 123, 213],
        [8, 122, 1, 1, 3, 5, 11, 43, 53, 133], [9, 8, 1, 3, 5, 5, 29, 17, 47, 173, 479], [9, 13, 1, 3, 3, 11, 3, 1, 109, 9, 69],
        [9, 16, 1, 1, 1, 5, 17, 39, 23, 5, 343], [9, 22, 1, 3, 1, 5, 25, 15, 31, 103, 499],
        [9, 25, 1, 1, 1, 11, 11, 17, 63, 105, 183], [9, 44, 1, 1, 5, 11, 9, 29, 97, 231, 363],
        [9, 47, 1, 1, 5, 15, 19, 45, 41, 7, 383], [9, 52, 1, 3, 7, 7, 31, 19, 83, 137, 221],
        [9, 55, 1, 1, 1, 3, 23, 15, 111, 223, 83], [9, 59, 1, 1, 5, 13, 31, 15, 55, 25, 161],
        [9, 62, 1, 1, 3, 13, 25, 47, 39, 87, 257],
    ];

    private static readonly Lock GeneratedLock = new();
    private static readonly List<uint[]> Generated = [];

    private readonly uint[][] directions;
    private readonly uint[] shifts;

    /// <summary>Initializes a new instance of the <see cref="SobolSequence"/> class.</summary>
    /// <param name="dimensions">The number of coordinates per point, at least 1.</param>
    /// <param name="scramble">The generator of the scramble; <see langword="null"/> for the unscrambled sequence (tests only).</param>
    public SobolSequence(int dimensions, Random? scramble)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        directions = new uint[dimensions][];
        shifts = new uint[dimensions];
        for (int j = 0; j < dimensions; j++)
        {
            uint[] v = BaseDirections(j);
            if (scramble is null)
            {
                directions[j] = v;
                continue;
            }

            // Linear matrix scramble: a random lower-triangular binary matrix with unit diagonal applied to every
            // direction number (digit 0 = most significant bit); then a random digital shift.
            var rows = new uint[Digits];
            for (int l = 0; l < Digits; l++)
            {
                uint above = l == 0 ? 0u : (uint)(NextUInt(scramble) & ~((1UL << (Digits - l)) - 1));
                rows[l] = above | (1u << (Digits - 1 - l));
            }

            var scrambled = new uint[Digits];
            for (int k = 0; k < Digits; k++)
            {
                uint result = 0;
                for (int l = 0; l < Digits; l++)
                {
                    result |= (uint)(BitOperations.PopCount(rows[l] & v[k]) & 1) << (Digits - 1 - l);
                }

                scrambled[k] = result;
            }

            directions[j] = scrambled;
            shifts[j] = NextUInt(scramble);
        }
    }

    /// <summary>Gets the number of coordinates per point.</summary>
    public int Dimensions { get; }

    /// <summary>Writes point number <paramref name="index"/> (0-based, below 2^32) into <paramref name="output"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Point(long index, Span<double> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, 1L << Digits);
        uint gray = (uint)(index ^ (index >> 1));
        for (int j = 0; j < Dimensions; j++)
        {
            uint x = shifts[j];
            uint g = gray;
            uint[] v = directions[j];
            for (int k = 0; g != 0; k++, g >>= 1)
            {
                if ((g & 1) != 0)
                {
                    x ^= v[k];
                }
            }

            output[j] = (x + 0.5) * (1.0 / 4294967296.0);
        }
    }

    private static uint NextUInt(Random random) => (uint)random.NextInt64(0, 1L << 32);

    private static uint[] BaseDirections(int dimension)
    {
        if (dimension == 0)
        {
            var v0 = new uint[Digits];
            for (int k = 0; k < Digits; k++)
            {
                v0[k] = 1u << (Digits - 1 - k);
            }

            return v0;
        }

        if (dimension - 1 < JoeKuo.Length)
        {
            int[] row = JoeKuo[dimension - 1];
            return Expand(row[0], (uint)row[1], row.AsSpan(2));
        }

        lock (GeneratedLock)
        {
            while (Generated.Count <= dimension - 1 - JoeKuo.Length)
            {
                Generated.Add(GenerateNext(Generated.Count));
            }

            return Generated[dimension - 1 - JoeKuo.Length];
        }
    }

    /// <summary>Expands initial direction numbers m_1..m_s by Sobol's recurrence into 32 direction numbers v_k = m_k 2^(32-k).</summary>
    private static uint[] Expand(int s, uint a, ReadOnlySpan<int> m)
    {
        var v = new uint[Digits];
        for (int k = 0; k < Math.Min(s, Digits); k++)
        {
            v[k] = (uint)m[k] << (Digits - 1 - k);
        }

        for (int k = s; k < Digits; k++)
        {
            uint value = v[k - s] ^ (v[k - s] >> s);
            for (int i = 1; i < s; i++)
            {
                if (((a >> (s - 1 - i)) & 1) != 0)
                {
                    value ^= v[k - i];
                }
            }

            v[k] = value;
        }

        return v;
    }

    /// <summary>Builds the direction numbers of the <paramref name="ordinal"/>-th dimension past the table.</summary>
    private static uint[] GenerateNext(int ordinal)
    {
        // The table ends at degree 9, a = 62; continue with the following primitive polynomials in (degree, a) order.
        int found = -1;
        for (int s = 9; s < 31; s++)
        {
            for (uint a = s == 9 ? 63u : 0u; a < (1u << (s - 1)); a++)
            {
                if (!IsPrimitive(s, a) || ++found < ordinal)
                {
                    continue;
                }

                // Pseudo-random odd m_k < 2^k, from a fixed SplitMix64 stream per dimension.
                ulong state = 0x5EED5EED5EEDUL + ((ulong)ordinal * 0x9E3779B97F4A7C15UL);
                var m = new int[s];
                for (int k = 0; k < s; k++)
                {
                    state += 0x9E3779B97F4A7C15UL;
                    ulong z = state;
                    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                    z ^= z >> 31;
                    m[k] = (int)((z & ((1UL << (k + 1)) - 1)) | 1UL);
                }

                return Expand(s, a, m);
            }
        }

        throw new InvalidOperationException("Ran out of primitive polynomials for the Sobol sequence.");
    }

    /// <summary>Tests whether x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1 is primitive over GF(2): x has order 2^s - 1 modulo it.</summary>
    private static bool IsPrimitive(int s, uint a)
    {
        ulong poly = (1UL << s) | ((ulong)a << 1) | 1UL;
        ulong order = (1UL << s) - 1;
        if (PowX(order, poly, s) != 1)
        {
            return false;
        }

        ulong rest = order;
        for (ulong q = 2; q * q <= rest; q++)
        {
            if (rest % q != 0)
            {
                continue;
            }

            while (rest % q == 0)
            {
                rest /= q;
            }

            if (PowX(order / q, poly, s) == 1)
            {
                return false;
            }
        }

        return rest <= 1 || PowX(order / rest, poly, s) != 1;
    }

    /// <summary>Computes x^e modulo the polynomial <paramref name="poly"/> of degree <paramref name="s"/> over GF(2).</summary>
    private static ulong PowX(ulong e, ulong poly, int s)
    {
        ulong result = 1;
        ulong power = 2; // x
        while (e != 0)
        {
            if ((e & 1) != 0)
            {
                result = MulMod(result, power, poly, s);
            }

            power = MulMod(power, power, poly, s);
            e >>= 1;
        }

        return result;
    }

    private static ulong MulMod(ulong x, ulong y, ulong poly, int s)
    {
        ulong result = 0;
        while (y != 0)
        {
            if ((y & 1) != 0)
            {
                result ^= x;
            }

            y >>= 1;
            x <<= 1;
            if ((x >> s) != 0)
            {
                x ^= poly;
            }
        }

        return result;
    }
}
