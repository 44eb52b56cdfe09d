using System.Text;

namespace Hpo.Cli.Formatting;

/// <summary>
/// Writes a document for people: a list as a header, a rule and aligned rows (numbers right-aligned, other text left-aligned);
/// one object as aligned <c>name  value</c> lines. Long cells are cut to <see cref="MaxCellWidth"/> characters.
/// </summary>
internal static class TableRenderer
{
    /// <summary>The widest a cell may be; longer text ends with an ellipsis (JSON and CSV keep it whole).</summary>
    public const int MaxCellWidth = 60;

    private const string Gap = "  ";

    /// <summary>Writes a document.</summary>
    /// <param name="document">The document.</param>
    /// <param name="writer">Where to write.</param>
    public static void Write(OutputDocument document, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(writer);
        if (document.IsSingle)
        {
            WriteObject(document.Records[0], writer);
        }
        else
        {
            WriteRows(document, writer);
        }
    }

    private static void WriteObject(OutputRecord record, TextWriter writer)
    {
        IReadOnlyList<OutputField> fields = record.Flatten();
        int nameWidth = fields.Count == 0 ? 0 : fields.Max(f => f.Name.Length);
        foreach (OutputField field in fields)
        {
            writer.WriteLine((field.Name.PadRight(nameWidth) + Gap + Cell(field.Value)).TrimEnd());
        }
    }

    private static void WriteRows(OutputDocument document, TextWriter writer)
    {
        IReadOnlyList<string> columns = document.Columns();
        var rows = document.Records.Select(r => r.Flatten().ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal)).ToList();
        int[] widths = new int[columns.Count];
        bool[] numeric = new bool[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            widths[c] = columns[c].Length;
            bool anyNumber = false, onlyNumbers = true;
            foreach (Dictionary<string, object?> row in rows)
            {
                object? value = row.GetValueOrDefault(columns[c]);
                widths[c] = Math.Max(widths[c], Cell(value).Length);
                anyNumber |= CellText.IsNumeric(value);
                onlyNumbers &= value is null || CellText.IsNumeric(value);
            }

            numeric[c] = anyNumber && onlyNumbers;
        }

        WriteLine(writer, columns, widths, numeric);
        WriteLine(writer, [.. widths.Select(w => new string('-', w))], widths, numeric);
        foreach (Dictionary<string, object?> row in rows)
        {
            WriteLine(writer, [.. columns.Select(c => Cell(row.GetValueOrDefault(c)))], widths, numeric);
        }
    }

    private static void WriteLine(TextWriter writer, IReadOnlyList<string> cells, int[] widths, bool[] numeric)
    {
        var line = new StringBuilder();
        for (int c = 0; c < cells.Count; c++)
        {
            if (c > 0)
            {
                line.Append(Gap);
            }

            line.Append(numeric[c] ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]));
        }

        writer.WriteLine(line.ToString().TrimEnd());
    }

    private static string Cell(object? value)
    {
        string text = CellText.Readable(value);
        return text.Length <= MaxCellWidth ? text : string.Concat(text.AsSpan(0, MaxCellWidth - 1), "…");
    }
}
