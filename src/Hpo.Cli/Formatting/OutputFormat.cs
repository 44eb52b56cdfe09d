namespace Hpo.Cli.Formatting;

/// <summary>How a command prints its result (<c>--format</c>).</summary>
internal enum OutputFormat
{
    /// <summary>Aligned columns for people (one object as aligned name/value lines); numbers rounded to 6 significant digits.</summary>
    Table = 0,

    /// <summary>JSON: an array of objects, or one object; exact numbers, ISO 8601 times, durations in seconds.</summary>
    Json = 1,

    /// <summary>CSV (RFC 4180 quoting) with a header line; exact numbers, ISO 8601 times, durations in seconds.</summary>
    Csv = 2,
}

/// <summary>Writes an <see cref="OutputDocument"/> in an <see cref="OutputFormat"/>.</summary>
internal static class OutputWriter
{
    /// <summary>Writes a document.</summary>
    /// <param name="document">The document.</param>
    /// <param name="format">The format.</param>
    /// <param name="writer">Where to write.</param>
    public static void Write(OutputDocument document, OutputFormat format, TextWriter writer)
    {
        switch (format)
        {
            case OutputFormat.Json:
                JsonRenderer.Write(document, writer);
                break;
            case OutputFormat.Csv:
                CsvRenderer.Write(document, writer);
                break;
            default:
                TableRenderer.Write(document, writer);
                break;
        }
    }
}
