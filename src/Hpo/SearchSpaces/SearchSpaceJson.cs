using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hpo.SearchSpaces;

/// <summary>Reads and writes the documented JSON form of a search space.</summary>
internal static class SearchSpaceJson
{
    private static readonly string[] FloatKeys = ["name", "type", "low", "high", "log", "step", "condition"];
    private static readonly string[] IntKeys = FloatKeys;
    private static readonly string[] CategoricalKeys = ["name", "type", "choices", "condition"];

    public static string Write(SearchSpace space, bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteStartArray("parameters");
            foreach (SearchParameter p in space.Parameters)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                switch (p.Distribution)
                {
                    case FloatDistribution f:
                        w.WriteString("type", "float");
                        w.WriteNumber("low", f.Low);
                        w.WriteNumber("high", f.High);
                        if (f.Log)
                        {
                            w.WriteBoolean("log", true);
                        }

                        if (f.Step is double s)
                        {
                            w.WriteNumber("step", s);
                        }

                        break;
                    case IntDistribution i:
                        w.WriteString("type", "int");
                        w.WriteNumber("low", i.Low);
                        w.WriteNumber("high", i.High);
                        if (i.Log)
                        {
                            w.WriteBoolean("log", true);
                        }

                        if (i.Step != 1)
                        {
                            w.WriteNumber("step", i.Step);
                        }

                        break;
                    case CategoricalDistribution c:
                        w.WriteString("type", "categorical");
                        w.WritePropertyName("choices");
                        WriteValues(w, c.Choices);
                        break;
                    default:
                        throw new NotSupportedException($"Unknown distribution type {p.Distribution.GetType().Name}.");
                }

                if (p.Condition is { } cond)
                {
                    w.WriteStartObject("condition");
                    w.WriteString("parent", cond.Parent);
                    w.WritePropertyName("values");
                    WriteValues(w, cond.Values);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static SearchSpace Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new FormatException($"The search-space JSON is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("parameters", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The search-space JSON must be an object with a \"parameters\" array.");
            }

            var parameters = new List<SearchParameter>();
            int index = 0;
            foreach (JsonElement e in list.EnumerateArray())
            {
                parameters.Add(ReadParameter(e, index++));
            }

            return new SearchSpace(parameters);
        }
    }

    private static SearchParameter ReadParameter(JsonElement e, int index)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Search-space JSON: parameters[{index}] must be an object, but it is {e.ValueKind}.");
        }

        string name = RequiredString(e, "name", $"parameters[{index}]");
        string where = $"parameter '{name}'";
        string type = RequiredString(e, "type", where);
        ParameterCondition? condition = null;
        if (e.TryGetProperty("condition", out JsonElement c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"Search-space JSON: the condition of {where} must be an object with \"parent\" and \"values\".");
            }

            string parent = RequiredString(c, "parent", $"the condition of {where}");
            if (!c.TryGetProperty("values", out JsonElement values) || values.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"Search-space JSON: the condition of {where} needs a \"values\" array.");
            }

            condition = new ParameterCondition(parent, ReadValues(values, $"the condition of {where}"));
        }

        Distribution distribution;
        switch (type)
        {
            case "float":
                CheckKeys(e, FloatKeys, where);
                distribution = new FloatDistribution(
                    name,
                    RequiredNumber(e, "low", where),
                    RequiredNumber(e, "high", where),
                    OptionalBool(e, "log", where),
                    e.TryGetProperty("step", out JsonElement fs) && fs.ValueKind != JsonValueKind.Null ? Number(fs, "step", where) : null);
                break;
            case "int":
                CheckKeys(e, IntKeys, where);
                distribution = new IntDistribution(
                    name,
                    RequiredInteger(e, "low", where),
                    RequiredInteger(e, "high", where),
                    OptionalBool(e, "log", where),
                    e.TryGetProperty("step", out JsonElement s) && s.ValueKind != JsonValueKind.Null ? Integer(s, "step", where) : 1);
                break;
            case "categorical":
                CheckKeys(e, CategoricalKeys, where);
                if (!e.TryGetProperty("choices", out JsonElement choices) || choices.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"Search-space JSON: {where} is categorical and needs a \"choices\" array.");
                }

                distribution = new CategoricalDistribution(name, ReadValues(choices, where));
                break;
            default:
                throw new FormatException($"Search-space JSON: {where} has type \"{type}\"; the type must be \"float\", \"int\" or \"categorical\".");
        }

        return new SearchParameter(name, distribution, condition);
    }

    private static void CheckKeys(JsonElement e, string[] allowed, string where)
    {
        foreach (JsonProperty p in e.EnumerateObject())
        {
            if (Array.IndexOf(allowed, p.Name) < 0)
            {
                throw new FormatException($"Search-space JSON: {where} has an unknown property \"{p.Name}\"; allowed are {string.Join(", ", allowed.Select(a => "\"" + a + "\""))}.");
            }
        }
    }

    private static string RequiredString(JsonElement e, string key, string where) =>
        e.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"Search-space JSON: {where} needs a string \"{key}\".");

    private static double RequiredNumber(JsonElement e, string key, string where) =>
        e.TryGetProperty(key, out JsonElement v) ? Number(v, key, where) : throw new FormatException($"Search-space JSON: {where} needs a number \"{key}\".");

    private static long RequiredInteger(JsonElement e, string key, string where) =>
        e.TryGetProperty(key, out JsonElement v) ? Integer(v, key, where) : throw new FormatException($"Search-space JSON: {where} needs an integer \"{key}\".");

    private static double Number(JsonElement v, string key, string where) =>
        v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new FormatException($"Search-space JSON: \"{key}\" of {where} must be a number, but it is {v.ValueKind}.");

    private static long Integer(JsonElement v, string key, string where) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : throw new FormatException($"Search-space JSON: \"{key}\" of {where} must be an integer, but it is {v.GetRawText()}.");

    private static bool OptionalBool(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new FormatException($"Search-space JSON: \"{key}\" of {where} must be true or false, but it is {v.GetRawText()}."),
        };
    }

    private static List<object> ReadValues(JsonElement array, string where)
    {
        var result = new List<object>();
        foreach (JsonElement v in array.EnumerateArray())
        {
            result.Add(ReadValue(v, where));
        }

        return result;
    }

    /// <summary>Reads a choice: a JSON number without a fraction or exponent is an integer (<see cref="long"/>), otherwise a <see cref="double"/>.</summary>
    internal static object ReadValue(JsonElement v, string where) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => IsIntegerLiteral(v.GetRawText()) && v.TryGetInt64(out long l) ? (object)l : v.GetDouble(),
        _ => throw new FormatException($"Search-space JSON: the values of {where} must be strings, numbers or booleans, but one is {v.GetRawText()}."),
    };

    /// <summary>Writes choices so that they read back with the same types: doubles always carry a fraction or an exponent.</summary>
    internal static void WriteValues(Utf8JsonWriter w, IEnumerable<object> values)
    {
        w.WriteStartArray();
        foreach (object v in values)
        {
            WriteValue(w, v);
        }

        w.WriteEndArray();
    }

    internal static void WriteValue(Utf8JsonWriter w, object v)
    {
        switch (v)
        {
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case double d:
                string text = d.ToString("R", CultureInfo.InvariantCulture);
                if (IsIntegerLiteral(text))
                {
                    text += ".0";
                }

                w.WriteRawValue(text);
                break;
            default:
                throw new NotSupportedException($"Cannot write a value of type {v.GetType().Name}.");
        }
    }

    private static bool IsIntegerLiteral(string text) => text.IndexOfAny(['.', 'e', 'E']) < 0;
}
