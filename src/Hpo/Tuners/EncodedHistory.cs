using System.Runtime.CompilerServices;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tuners;

/// <summary>
/// The trials of a <see cref="TunerContext"/> in the unit cube, as the evolutionary tuners read them: every trial that has
/// parameters, in number order, with its state and (for complete trials) its loss — the first objective value, negated when
/// maximizing, so that lower is always better.
/// </summary>
/// <remarks>
/// Trial records are immutable, so each record's encoding is computed once and kept beside the record (a cache that never
/// changes results). Encodings are canonical: two trials with the same typed values have bit-identical vectors, so vectors can
/// be compared exactly to detect repeats.
/// </remarks>
internal sealed class EncodedHistory
{
    private static readonly ConditionalWeakTable<TrialRecord, CachedEncoding> Cache = [];

    private EncodedHistory(List<EncodedTrial> trials, int completeCount, int stablePrefix)
    {
        Trials = trials;
        CompleteCount = completeCount;
        StablePrefix = stablePrefix;
    }

    /// <summary>Gets the trials that have parameters, in number order.</summary>
    public IReadOnlyList<EncodedTrial> Trials { get; }

    /// <summary>Gets how many of <see cref="Trials"/> are complete with a finite loss.</summary>
    public int CompleteCount { get; }

    /// <summary>
    /// Gets the length of the longest prefix of <see cref="Trials"/> that can no longer change: every trial of the context up to
    /// the last one in the prefix (those without parameters included) is finished, so later histories start with the same prefix.
    /// </summary>
    public int StablePrefix { get; }

    public static EncodedHistory From(TunerContext context)
    {
        UnitCubeEncoding encoding = context.Encoding;
        double sign = context.Direction == StudyDirection.Maximize ? -1.0 : 1.0;
        var trials = new List<EncodedTrial>(context.Trials.Count);
        int complete = 0;
        int previous = int.MinValue;
        bool ordered = true;
        bool stable = true;
        int stablePrefix = 0;
        foreach (TrialRecord t in context.Trials)
        {
            stable &= t.IsFinished;
            if (t.Parameters.Count == 0)
            {
                continue; // a trial whose proposal is still being made (this one among them)
            }

            double loss = double.NaN;
            if (t.State == TrialState.Complete && t.Value is double v && double.IsFinite(v))
            {
                loss = sign * v;
                complete++;
            }

            ordered &= t.Number > previous;
            previous = t.Number;
            CachedEncoding encoded = Encode(encoding, t);
            trials.Add(new EncodedTrial(t.Number, t.State, encoded.Unit, encoded.Internals, loss));
            if (stable)
            {
                stablePrefix = trials.Count;
            }
        }

        if (!ordered)
        {
            trials.Sort((a, b) => a.Number.CompareTo(b.Number));
            stablePrefix = 0;
        }

        return new EncodedHistory(trials, complete, stablePrefix);
    }

    /// <summary>Determines whether two canonical points are the same configuration (NaN equals NaN).</summary>
    public static bool SamePoint(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (!a[i].Equals(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Determines whether a canonical point is already among the trials (finished, running or waiting).</summary>
    public bool Contains(ReadOnlySpan<double> point)
    {
        foreach (EncodedTrial t in Trials)
        {
            if (SamePoint(t.Unit, point))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Gets the trial with the lowest loss among those in which parameter <paramref name="j"/> is active (the first such trial
    /// on ties), or <see langword="null"/> when it was never active in a trial with a loss: where a conditional parameter that
    /// a tuner switches on is recalled from.
    /// </summary>
    public EncodedTrial? BestWhereActive(int j)
    {
        EncodedTrial? best = null;
        foreach (EncodedTrial t in Trials)
        {
            if (t.HasLoss && !double.IsNaN(t.Unit[j]) && (best is null || t.Loss < best.Value.Loss))
            {
                best = t;
            }
        }

        return best;
    }

    private static CachedEncoding Encode(UnitCubeEncoding encoding, TrialRecord trial)
    {
        if (Cache.TryGetValue(trial, out CachedEncoding? cached) && ReferenceEquals(cached.Encoding, encoding))
        {
            return cached;
        }

        double[] internals = encoding.ToInternals(trial.Parameters);
        double[] unit = new double[internals.Length];
        for (int i = 0; i < unit.Length; i++)
        {
            unit[i] = double.IsNaN(internals[i]) ? double.NaN : encoding.ToUnit(i, internals[i]);
        }

        cached = new CachedEncoding(encoding, unit, internals);
        Cache.AddOrUpdate(trial, cached);
        return cached;
    }

    private sealed record CachedEncoding(UnitCubeEncoding Encoding, double[] Unit, double[] Internals);
}

/// <summary>One trial in the unit cube.</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="State">The trial's state.</param>
/// <param name="Unit">The canonical unit-cube point (NaN where a parameter is inactive). Shared: never modify it.</param>
/// <param name="Internals">The internal values (NaN where inactive), from which a copied parameter keeps its exact value. Shared: never modify it.</param>
/// <param name="Loss">The loss of a complete trial (lower is better), or NaN.</param>
internal readonly record struct EncodedTrial(int Number, TrialState State, double[] Unit, double[] Internals, double Loss)
{
    /// <summary>Gets a value indicating whether the trial is complete with a finite loss.</summary>
    public bool HasLoss => !double.IsNaN(Loss);
}
