namespace Hpo.Tuners;

/// <summary>
/// A Latin hypercube of a given size in [0, 1]^d drawn from a seed: in every dimension each of the <c>size</c> equal strata
/// holds exactly one point. Row <c>i</c> is a pure function of (seed, size, d, i).
/// </summary>
internal static class LatinHypercube
{
    /// <summary>Writes row <paramref name="row"/> of the hypercube into <paramref name="point"/>.</summary>
    public static void Row(int seed, int size, int row, Span<double> point)
    {
        var random = new Random(seed);
        int[] permutation = new int[size];
        for (int j = 0; j < point.Length; j++)
        {
            for (int k = 0; k < size; k++)
            {
                permutation[k] = k;
            }

            random.Shuffle(permutation);
            int stratum = permutation[row];
            double jitter = 0;
            for (int k = 0; k <= row; k++)
            {
                jitter = random.NextDouble();
            }

            for (int k = row + 1; k < size; k++)
            {
                random.NextDouble(); // keep the stream aligned: every row consumes the same draws
            }

            point[j] = (stratum + jitter) / size;
        }
    }

    /// <summary>
    /// Proposes initial trial <paramref name="row"/>: that row of the hypercube, or, when it repeats a trial of the history (in
    /// a space with few discrete values), a uniform draw that does not.
    /// </summary>
    public static IReadOnlyDictionary<string, object> InitialPoint(TunerContext context, int seed, int size, int row, Random random)
    {
        Hpo.SearchSpaces.UnitCubeEncoding encoding = context.Encoding;
        double[] unit = new double[encoding.Dimensions];
        Row(TunerContext.DeriveSeed(seed, -1), size, row, unit);
        PointDraft draft = PointDraft.FromUnit(encoding, unit);
        EncodedHistory history = EncodedHistory.From(context);
        return history.Contains(draft.Unit) ? PointDraft.Fresh(encoding, history, random, 64).ToParameters() : draft.ToParameters();
    }

    /// <summary>Proposes a uniform random point that repeats no trial of the history (when the tuner has nothing to build on yet).</summary>
    public static IReadOnlyDictionary<string, object> RandomPoint(TunerContext context, Random random) =>
        PointDraft.Fresh(context.Encoding, EncodedHistory.From(context), random, 64).ToParameters();
}
