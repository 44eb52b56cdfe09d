using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Hpo.Cli.Formatting;

/// <summary>
/// Writes a document as indented JSON: an array of objects, or one object. Numbers are exact (shortest round trip), times are
/// ISO 8601, durations are seconds, nested records are nested objects, and a number that is not finite is written as a string.
/// </summary>
internal static class JsonRenderer
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,

        // Printed to a terminal or a pipe, never embedded in HTML: keep '+', '<', quotes in text and non-ASCII readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes a document.</summary>
    /// <param name="document">The document.</param>
    /// <param name="writer">Where to write.</param>
    public static void Write(OutputDocument document, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(writer);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            if (document.IsSingle)
            {
                WriteObject(json, document.Records[0]);
            }
            else
            {
                json.WriteStartArray();
                foreach (OutputRecord record in document.Records)
                {
                    WriteObject(json, record);
                }

                json.WriteEndArray();
            }
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static void WriteObject(Utf8JsonWriter json, OutputRecord record)
    {
        json.WriteStartObject();
        foreach (OutputField field in record.Fields)
        {
            json.WritePropertyName(field.Name);
            WriteValue(json, field.Value);
        }

        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case OutputRecord nested:
                WriteObject(json, nested);
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case TimeSpan t:
                json.WriteNumberValue(t.TotalSeconds);
                break;
            default:
                json.WriteStringValue(CellText.Exact(value));
                break;
        }
    }
}
