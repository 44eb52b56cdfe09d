using System.Globalization;

namespace Hpo.Cli.Formatting;

/// <summary>Turns field values into text, always with the invariant culture.</summary>
internal static class CellText
{
    /// <summary>Formats a value exactly, as CSV writes it: shortest round-trip numbers, ISO 8601 UTC times, durations in seconds.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text; empty for <see langword="null"/>.</returns>
    public static string Exact(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        TimeSpan t => t.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Formats a value for people: 6 significant digits, times to the second in UTC, durations as 1.234s, 2m05s or 3h07m.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text; <c>-</c> for <see langword="null"/>.</returns>
    public static string Readable(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        TimeSpan t => Duration(t),
        string s => s.ReplaceLineEndings(" "),
        _ => Exact(value),
    };

    /// <summary>Determines whether a value is a number (right-aligned in tables).</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> for numbers and durations.</returns>
    public static bool IsNumeric(object? value) => value is int or long or double or TimeSpan;

    private static string Duration(TimeSpan t)
    {
        double seconds = t.TotalSeconds;
        if (seconds < 60)
        {
            return seconds.ToString("0.000", CultureInfo.InvariantCulture) + "s";
        }

        if (seconds < 3600)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:00}s");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m");
    }
}
