using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Tuners.RandomSearch;

/// <summary>
/// Random search: every active parameter is drawn independently and uniformly on its scale (log-uniform for log
/// parameters, uniform over the grid for steps, integers and categoricals).
/// </summary>
/// <remarks>
/// Each trial's draw comes from a generator seeded by (seed, trial number), so sequential and concurrent runs with the same
/// seed propose the same points for the same trial numbers. In a finite space that is not exhausted, the tuner never
/// proposes a point that was already tried, is running or is waiting (with <see cref="RandomSearchTunerOptions.AvoidRepeats"/>);
/// once every point has been tried it draws freely again. Cost: O(1) per proposal in continuous spaces; in finite spaces
/// O(history) to collect the points seen, plus an enumeration of the unseen points once more than half are seen.
/// </remarks>
public sealed class RandomSearchTuner : TunerBase
{
    /// <summary>The name this tuner is registered under.</summary>
    public const string TunerName = "random";

    private const long EnumerationLimit = 2_000_000;
    private const int RejectionDraws = 64;

    private readonly RandomSearchTunerOptions options;

    /// <summary>Initializes a new instance of the <see cref="RandomSearchTuner"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public RandomSearchTuner(RandomSearchTunerOptions? options = null)
    {
        this.options = (options ?? new RandomSearchTunerOptions()).Clone();
    }

    /// <inheritdoc/>
    public override string Name => TunerName;

    /// <inheritdoc/>
    public override string Settings => options.ToJson();

    /// <inheritdoc/>
    /// <remarks>Random search reads the history only to avoid repeats in a finite space.</remarks>
    public override bool UsesHistory(SearchSpace searchSpace) =>
        options.AvoidRepeats && EncodingCache.For(searchSpace).IsFinite;

    /// <inheritdoc/>

    public override IReadOnlyDictionary<string, object> Propose(TunerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        UnitCubeEncoding encoding = context.Encoding;

        // A generator of its own, seeded as context.Random is: proposing twice from one context (a tuner that falls back on
        // random search, a retry) gives the same point instead of continuing the context's shared stream.
        var random = new Random(TunerContext.DeriveSeed(context.Seed, context.TrialNumber));
        double[] unit = new double[encoding.Dimensions];
        if (!options.AvoidRepeats || !encoding.IsFinite)
        {
            return Draw(encoding, random, unit);
        }

        var seen = new HashSet<double[]>(PointComparer.Instance);
        foreach (TrialRecord t in context.Trials)
        {
            if (t.Parameters.Count > 0)
            {
                seen.Add(encoding.ToInternals(t.Parameters));
            }
        }

        long? total = encoding.CountPoints(EnumerationLimit);
        if (total is long n && seen.Count >= n)
        {
            return Draw(encoding, random, unit); // exhausted: repeats are unavoidable
        }

        if (total is null || seen.Count * 2 < total)
        {
            for (int i = 0; i < RejectionDraws; i++)
            {
                IReadOnlyDictionary<string, object> candidate = Draw(encoding, random, unit);
                if (!seen.Contains(encoding.ToInternals(candidate)))
                {
                    return candidate;
                }
            }

            if (total is null)
            {
                // More than EnumerationLimit points and 64 straight collisions: keep drawing; it ends since the space is not exhausted.
                while (true)
                {
                    IReadOnlyDictionary<string, object> candidate = Draw(encoding, random, unit);
                    if (!seen.Contains(encoding.ToInternals(candidate)))
                    {
                        return candidate;
                    }
                }
            }
        }

        var unseen = new List<double[]>();
        foreach (double[] point in encoding.EnumeratePoints())
        {
            if (!seen.Contains(point))
            {
                unseen.Add(point);
            }
        }

        return encoding.ToExternals(unseen[random.Next(unseen.Count)]);
    }

    private static IReadOnlyDictionary<string, object> Draw(UnitCubeEncoding encoding, Random random, double[] unit)
    {
        for (int i = 0; i < unit.Length; i++)
        {
            unit[i] = random.NextDouble();
        }

        return encoding.Decode(unit);
    }

    /// <summary>
    /// Compares points by their internal values: equal when every coordinate has the same bits, NaN (an inactive parameter)
    /// equal to NaN. This is the equality of the points' round-trip text, without building the text.
    /// </summary>
    private sealed class PointComparer : IEqualityComparer<double[]>
    {
        public static readonly PointComparer Instance = new();

        public bool Equals(double[]? x, double[]? y)
        {
            if (ReferenceEquals(x, y))
            {
                return true;
            }

            if (x is null || y is null || x.Length != y.Length)
            {
                return false;
            }

            for (int i = 0; i < x.Length; i++)
            {
                if (Bits(x[i]) != Bits(y[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(double[] obj)
        {
            var hash = default(HashCode);
            foreach (double v in obj)
            {
                hash.Add(Bits(v));
            }

            return hash.ToHashCode();
        }

        private static readonly long NaNBits = BitConverter.DoubleToInt64Bits(double.NaN);

        private static long Bits(double v) => double.IsNaN(v) ? NaNBits : BitConverter.DoubleToInt64Bits(v);
    }
}
