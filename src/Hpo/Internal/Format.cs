using System.Globalization;

namespace Hpo.Internal;

/// <summary>Formats values for error messages, always with the invariant culture.</summary>
internal static class Format
{
    public static string Value(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public static string Values(IEnumerable<object> values) => "[" + string.Join(", ", values.Select(Value)) + "]";

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
