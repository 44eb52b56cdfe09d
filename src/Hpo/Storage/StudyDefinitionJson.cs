using System.Globalization;
using System.Text;
using System.Text.Json;
using Hpo.SearchSpaces;
using Hpo.Studies;

namespace Hpo.Storage;

/// <summary>
/// The JSON forms a storage keeps: a <see cref="StudyDefinition"/>, trial parameters, values and attributes. Part of the provider kit
/// (see docs/storage.md, "Write your own provider"): a provider that stores these texts reads back exactly what the others do, and
/// <c>hpo</c> and the dashboard read any provider's studies alike.
/// </summary>
public static class StudyDefinitionJson
{
    /// <summary>Writes a study's definition (name, search space, directions, budget, lease, retry policy, attributes).</summary>
    /// <param name="d">The definition.</param>
    /// <returns>The JSON text; <see cref="Read"/> reads it back.</returns>
    public static string Write(StudyDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("name", d.Name);
            w.WritePropertyName("search_space");
            w.WriteRawValue(SearchSpaceJson.Write(d.SearchSpace, indented: false));
            w.WriteStartArray("directions");
            foreach (StudyDirection dir in d.Directions)
            {
                w.WriteStringValue(dir == StudyDirection.Minimize ? "minimize" : "maximize");
            }

            w.WriteEndArray();
            w.WriteString("tuner", d.TunerName);
            w.WritePropertyName("tuner_settings");
            w.WriteRawValue(string.IsNullOrWhiteSpace(d.TunerSettings) ? "{}" : d.TunerSettings);
            if (d.PrunerName is not null)
            {
                w.WriteString("pruner", d.PrunerName);
                w.WritePropertyName("pruner_settings");
                w.WriteRawValue(string.IsNullOrWhiteSpace(d.PrunerSettings) ? "{}" : d.PrunerSettings);
            }

            w.WriteNumber("seed", d.Seed);
            if (d.Budget is int b)
            {
                w.WriteNumber("budget", b);
            }

            w.WriteNumber("lease_ms", (long)d.Lease.TotalMilliseconds);
            if (d.MaxRetries > 0)
            {
                w.WriteNumber("max_retries", d.MaxRetries);
            }

            if (d.RetryOn != RetryOn.LostWorker)
            {
                w.WriteStartArray("retry_on");
                foreach ((RetryOn flag, string name) in RetryOnNames)
                {
                    if (d.RetryOn.HasFlag(flag))
                    {
                        w.WriteStringValue(name);
                    }
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a definition written by <see cref="Write"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="JsonException">The text is not a study definition.</exception>
    public static StudyDefinition Read(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            JsonElement r = doc.RootElement;
            var directions = r.GetProperty("directions").EnumerateArray().Select(e => e.GetString() switch
            {
                "minimize" => StudyDirection.Minimize,
                "maximize" => StudyDirection.Maximize,
                string other => throw new FormatException($"Unknown study direction '{other}'."),
                null => throw new FormatException("A study direction is null."),
            }).ToList();
            return new StudyDefinition
            {
                Name = r.GetProperty("name").GetString()!,
                SearchSpace = SearchSpaceJson.Read(r.GetProperty("search_space").GetRawText()),
                Directions = directions,
                TunerName = r.GetProperty("tuner").GetString()!,
                TunerSettings = r.TryGetProperty("tuner_settings", out JsonElement ts) ? ts.GetRawText() : "{}",
                PrunerName = r.TryGetProperty("pruner", out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null,
                PrunerSettings = r.TryGetProperty("pruner_settings", out JsonElement ps) ? ps.GetRawText() : "{}",
                Seed = r.GetProperty("seed").GetInt32(),
                Budget = r.TryGetProperty("budget", out JsonElement b) && b.ValueKind == JsonValueKind.Number ? b.GetInt32() : null,
                Lease = r.TryGetProperty("lease_ms", out JsonElement l) ? TimeSpan.FromMilliseconds(l.GetInt64()) : StudyDefinition.DefaultLease,
                MaxRetries = r.TryGetProperty("max_retries", out JsonElement m) ? m.GetInt32() : 0,
                RetryOn = r.TryGetProperty("retry_on", out JsonElement on) ? ReadRetryOn(on) : RetryOn.LostWorker,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"The stored study definition is not valid: {e.Message}", e);
        }
    }

    private static readonly (RetryOn Flag, string Name)[] RetryOnNames =
    [
        (RetryOn.LostWorker, "lost_worker"),
        (RetryOn.Exception, "exception"),
        (RetryOn.Timeout, "timeout"),
    ];

    private static RetryOn ReadRetryOn(JsonElement names)
    {
        RetryOn on = RetryOn.None;
        foreach (JsonElement e in names.EnumerateArray())
        {
            string? name = e.GetString();
            on |= RetryOnNames.FirstOrDefault(n => n.Name == name) is { Name: not null } found
                ? found.Flag
                : throw new FormatException($"Unknown retry_on value '{name}'; expected lost_worker, exception or timeout.");
        }

        return on;
    }

    /// <summary>Writes typed parameter values as a JSON object of internal representations.</summary>
    /// <param name="space">The study's search space, which validates the values.</param>
    /// <param name="parameters">The values, by parameter name.</param>
    /// <returns>The JSON object.</returns>
    /// <exception cref="ArgumentException">A value does not fit the space.</exception>
    public static string WriteParameters(SearchSpace space, IReadOnlyDictionary<string, object> parameters)
    {
        var sb = new StringBuilder("{");
        bool first = true;
        foreach (SearchParameter p in space.Parameters)
        {
            if (!parameters.TryGetValue(p.Name, out object? v))
            {
                continue;
            }

            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            sb.Append(JsonSerializer.Serialize(p.Name)).Append(':').Append(p.Distribution.ToInternal(v).ToString("R", CultureInfo.InvariantCulture));
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Reads parameters written by <see cref="WriteParameters"/> back into typed values, in space order.</summary>
    /// <param name="space">The study's search space.</param>
    /// <param name="json">The JSON object, or <see langword="null"/> for none.</param>
    /// <returns>The typed values.</returns>
    public static IReadOnlyDictionary<string, object> ReadParameters(SearchSpace space, string? json)
    {
        if (string.IsNullOrEmpty(json) || json == "{}")
        {
            return System.Collections.Immutable.ImmutableDictionary<string, object>.Empty;
        }

        using var doc = JsonDocument.Parse(json);
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (SearchParameter p in space.Parameters)
        {
            if (doc.RootElement.TryGetProperty(p.Name, out JsonElement e))
            {
                result[p.Name] = p.Distribution.ToExternal(e.GetDouble());
            }
        }

        return new System.Collections.ObjectModel.ReadOnlyDictionary<string, object>(result);
    }

    /// <summary>Writes a trial's values (one per direction) as a JSON array, round-trippable.</summary>
    /// <param name="values">The values.</param>
    /// <returns>The JSON array.</returns>
    public static string WriteValues(IReadOnlyList<double> values) =>
        "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    /// <summary>Reads values written by <see cref="WriteValues"/>.</summary>
    /// <param name="json">The JSON array, or <see langword="null"/> for none.</param>
    /// <returns>The values.</returns>
    public static IReadOnlyList<double> ReadValues(string? json)
    {
        if (string.IsNullOrEmpty(json) || json == "[]")
        {
            return [];
        }

        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(e => e.GetDouble())];
    }

    /// <summary>Writes user or system attributes as a JSON object.</summary>
    /// <param name="attributes">The attributes.</param>
    /// <returns>The JSON object.</returns>
    public static string WriteAttributes(IReadOnlyDictionary<string, string> attributes) => JsonSerializer.Serialize(attributes);

    /// <summary>Reads attributes written by <see cref="WriteAttributes"/> (ordinal keys).</summary>
    /// <param name="json">The JSON object, or <see langword="null"/> for none.</param>
    /// <returns>The attributes.</returns>
    public static System.Collections.Immutable.ImmutableDictionary<string, string> ReadAttributes(string? json)
    {
        System.Collections.Immutable.ImmutableDictionary<string, string> empty = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json) || json == "{}")
        {
            return empty;
        }

        return empty.AddRange(JsonSerializer.Deserialize<Dictionary<string, string>>(json)!);
    }
}
