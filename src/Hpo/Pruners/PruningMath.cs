using System.Collections.Immutable;
using Hpo.Studies;

namespace Hpo.Pruners;

/// <summary>Comparisons and order statistics shared by the pruners. NaN is worse than every number, in both directions.</summary>
internal static class PruningMath
{
    /// <summary>Determines whether <paramref name="a"/> is strictly better than <paramref name="b"/>; NaN is never better, and every number beats NaN.</summary>
    public static bool IsBetter(double a, double b, StudyDirection direction) =>
        !double.IsNaN(a) && (double.IsNaN(b) || (direction == StudyDirection.Minimize ? a < b : a > b));

    /// <summary>Gets the best value reported at a step no later than <paramref name="step"/>, or NaN when there is none.</summary>
    public static double BestUpTo(ImmutableSortedDictionary<long, double> values, long step, StudyDirection direction)
    {
        double best = double.NaN;
        foreach (KeyValuePair<long, double> kv in values)
        {
            if (kv.Key > step)
            {
                break;
            }

            if (IsBetter(kv.Value, best, direction))
            {
                best = kv.Value;
            }
        }

        return best;
    }

    /// <summary>Gets the value reported at the first step at or after <paramref name="step"/>, if any.</summary>
    public static bool TryGetFirstAtOrAfter(ImmutableSortedDictionary<long, double> values, long step, out double value)
    {
        if (values.TryGetValue(step, out value))
        {
            return true;
        }

        foreach (KeyValuePair<long, double> kv in values)
        {
            if (kv.Key >= step)
            {
                value = kv.Value;
                return true;
            }
        }

        value = double.NaN;
        return false;
    }

    /// <summary>Gets the highest step and the one before it (<see cref="long.MinValue"/> when there is only one).</summary>
    public static (long Last, long Previous) LastTwoSteps(ImmutableSortedDictionary<long, double> values)
    {
        long last = long.MinValue;
        long previous = long.MinValue;
        foreach (KeyValuePair<long, double> kv in values)
        {
            previous = last;
            last = kv.Key;
        }

        return (last, previous);
    }

    /// <summary>
    /// Gets the <paramref name="percent"/>-th percentile of ascending <paramref name="sorted"/> values, interpolating linearly
    /// between the closest ranks (definition 7 of Hyndman and Fan, 1996): rank h = (n − 1)·p/100.
    /// </summary>
    public static double Percentile(List<double> sorted, double percent)
    {
        double h = (sorted.Count - 1) * percent / 100.0;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }

    /// <summary>Multiplies without overflowing: <see langword="null"/> when the product exceeds <see cref="long.MaxValue"/>.</summary>
    public static long? TimesOrNull(long a, long b) => a <= long.MaxValue / b ? a * b : null;
}
