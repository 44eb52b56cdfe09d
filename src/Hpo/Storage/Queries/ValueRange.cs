using System.Globalization;

namespace Hpo.Storage;

/// <summary>A closed range of numbers for a <see cref="TrialFilter"/>; either end may be open (<see langword="null"/>).</summary>
/// <param name="Min">The lowest value let through, or <see langword="null"/> for no lower bound.</param>
/// <param name="Max">The highest value let through, or <see langword="null"/> for no upper bound.</param>
public sealed record ValueRange(double? Min, double? Max)
{
    /// <summary>Determines whether a value lies in the range (a missing value never does).</summary>
    /// <param name="value">The value, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> if the value is present and within both bounds.</returns>
    public bool Contains(double? value) => value is double v && (Min is not double lo || v >= lo) && (Max is not double hi || v <= hi);

    /// <summary>Reads a range written as <c>MIN..MAX</c>, <c>MIN..</c> or <c>..MAX</c> (invariant culture, e.g. <c>0.1..0.5</c>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="field">The name of the field the text came from, for the error message.</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentException">The text is not a range of finite numbers with min ≤ max.</exception>
    public static ValueRange Parse(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(field);
        int dots = text.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0)
        {
            throw new ArgumentException($"Filter '{field}' must be a range MIN..MAX, MIN.. or ..MAX of numbers (invariant culture, e.g. 0.1..0.5), but got '{text}'.", field);
        }

        double? min = Bound(text[..dots], field, text);
        double? max = Bound(text[(dots + 2)..], field, text);
        if (min is null && max is null)
        {
            throw new ArgumentException($"Filter '{field}' must give at least one bound (MIN..MAX, MIN.. or ..MAX), but got '{text}'.", field);
        }

        var range = new ValueRange(min, max);
        range.Validate(field);
        return range;
    }

    /// <summary>Checks that the bounds are finite and in order.</summary>
    /// <param name="field">The name of the field, for the error message.</param>
    /// <exception cref="ArgumentException">A bound is not finite, or min &gt; max.</exception>
    public void Validate(string field)
    {
        if (Min is double lo && !double.IsFinite(lo))
        {
            throw new ArgumentException($"Filter '{field}' must have a finite lower bound, but got {lo.ToString(CultureInfo.InvariantCulture)}.", field);
        }

        if (Max is double hi && !double.IsFinite(hi))
        {
            throw new ArgumentException($"Filter '{field}' must have a finite upper bound, but got {hi.ToString(CultureInfo.InvariantCulture)}.", field);
        }

        if (Min is double a && Max is double b && a > b)
        {
            throw new ArgumentException($"Filter '{field}' must have min <= max, but got min={a.ToString("R", CultureInfo.InvariantCulture)}, max={b.ToString("R", CultureInfo.InvariantCulture)}.", field);
        }
    }

    private static double? Bound(string part, string field, string text)
    {
        part = part.Trim();
        if (part.Length == 0)
        {
            return null;
        }

        return double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"Filter '{field}' must be a range MIN..MAX of finite numbers (invariant culture, e.g. 0.1..0.5), but '{part}' in '{text}' is not one.", field);
    }
}
