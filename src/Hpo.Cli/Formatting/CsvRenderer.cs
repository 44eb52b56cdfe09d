namespace Hpo.Cli.Formatting;

/// <summary>
/// Writes a document as CSV: a header line of flat column names, then one line per record (one line for a single object).
/// A field that holds a comma, a double quote, a line break or leading or trailing spaces is quoted, with quotes doubled
/// (RFC 4180). A missing or null value is an empty field.
/// </summary>
internal static class CsvRenderer
{
    /// <summary>Writes a document.</summary>
    /// <param name="document">The document.</param>
    /// <param name="writer">Where to write.</param>
    public static void Write(OutputDocument document, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(writer);
        IReadOnlyList<string> columns = document.Columns();
        writer.WriteLine(string.Join(',', columns.Select(Quote)));
        foreach (OutputRecord record in document.Records)
        {
            var values = record.Flatten().ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);
            writer.WriteLine(string.Join(',', columns.Select(c => Quote(CellText.Exact(values.GetValueOrDefault(c))))));
        }
    }

    /// <summary>Quotes one field if it needs it.</summary>
    /// <param name="field">The field's text.</param>
    /// <returns>The field as it appears in the file.</returns>
    public static string Quote(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        bool needsQuotes = field.AsSpan().IndexOfAny(",\"\r\n") >= 0
            || (field.Length > 0 && (char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1])));
        return needsQuotes ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }
}
