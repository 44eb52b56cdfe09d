using System.Buffers;
using System.Text.Json;
using Hpo.Models;

namespace Hpo.Serving.Rest;

/// <summary>
/// Reads <c>{"instances": [...]}</c> in TensorFlow Serving's row format into a flat buffer: each instance is a list of numbers (the
/// model's inputs in manifest order, vectors flattened) or an object keyed by input name (a number for a scalar input, a list
/// for a vector). Every value must be a finite number that fits a float32.
/// </summary>
internal static class InstanceParser
{
    /// <summary>Parses a request body.</summary>
    /// <param name="body">The UTF-8 JSON body.</param>
    /// <param name="manifest">The served version's manifest.</param>
    /// <param name="maxInstances">The most instances allowed.</param>
    /// <param name="values">A rented buffer with the values (return it to <see cref="ArrayPool{T}.Shared"/>).</param>
    /// <param name="count">The number of instances.</param>
    /// <returns><see langword="null"/>, or the error and its status (400 or 413).</returns>
    public static (int Status, string Message)? Parse(ReadOnlySequence<byte> body, ModelManifest manifest, int maxInstances, out float[] values, out int count)
    {
        int size = manifest.InstanceSize;
        values = ArrayPool<float>.Shared.Rent(Math.Max(size * 4, 64));
        count = 0;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (400, "The body must be a JSON object such as {\"instances\": [[1.0, 2.0, ...]]}.");
            }

            bool found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("instances"u8))
                {
                    if (found)
                    {
                        return (400, "'instances' appears twice.");
                    }

                    found = true;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        return (400, $"'instances' must be a list of instances, but got {Describe(reader.TokenType)}.");
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (count >= maxInstances)
                        {
                            return (413, $"A request may hold at most {maxInstances} instances; send the rest in another request.");
                        }

                        if ((count + 1) * size > values.Length)
                        {
                            float[] larger = ArrayPool<float>.Shared.Rent(Math.Max(values.Length * 2, (count + 1) * size));
                            values.AsSpan(0, count * size).CopyTo(larger);
                            ArrayPool<float>.Shared.Return(values);
                            values = larger;
                        }

                        Span<float> row = values.AsSpan(count * size, size);
                        string? error = reader.TokenType switch
                        {
                            JsonTokenType.StartArray => ReadList(ref reader, row, count, manifest),
                            JsonTokenType.StartObject => ReadObject(ref reader, row, count, manifest),
                            _ => $"instance {count} must be a list of {size} numbers or an object keyed by input name ({InputNames(manifest)}), but got {Describe(reader.TokenType)}.",
                        };
                        if (error is not null)
                        {
                            return (400, error);
                        }

                        count++;
                    }
                }
                else if (reader.ValueTextEquals("inputs"u8))
                {
                    return (400, "Only the row format ({\"instances\": [...]}) is supported, not the columnar one ({\"inputs\": ...}).");
                }
                else
                {
                    reader.Read();
                    reader.Skip(); // signature_name and other fields are ignored
                }
            }

            if (!found)
            {
                return (400, "The body has no 'instances': send {\"instances\": [[1.0, 2.0, ...]]}.");
            }

            if (count == 0)
            {
                return (400, "'instances' is empty: send at least one instance.");
            }

            return null;
        }
        catch (JsonException e)
        {
            return (400, $"The body is not valid JSON (NaN and Infinity are not JSON numbers): {e.Message}");
        }
    }

    private static string? ReadList(ref Utf8JsonReader reader, Span<float> row, int index, ModelManifest manifest)
    {
        int i = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (i >= row.Length)
            {
                return $"instance {index} must have {row.Length} values ({InputNames(manifest)}), but has more.";
            }

            if (ReadNumber(ref reader, out row[i]) is { } problem)
            {
                return $"instance {index} value {i} {problem}";
            }

            i++;
        }

        return i == row.Length ? null : $"instance {index} must have {row.Length} values ({InputNames(manifest)}), but has {i}.";
    }

    private static string? ReadObject(ref Utf8JsonReader reader, Span<float> row, int index, ModelManifest manifest)
    {
        Span<bool> seen = stackalloc bool[manifest.Inputs.Count];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int input = -1;
            int offset = 0;
            for (int k = 0; k < manifest.Inputs.Count; k++)
            {
                if (reader.ValueTextEquals(manifest.Inputs[k].Name))
                {
                    input = k;
                    break;
                }

                offset += manifest.Inputs[k].Size;
            }

            if (input < 0)
            {
                return $"instance {index} has an unknown input '{reader.GetString()}'; the inputs are {InputNames(manifest)}.";
            }

            if (seen[input])
            {
                return $"instance {index} gives input '{manifest.Inputs[input].Name}' twice.";
            }

            seen[input] = true;
            ModelInput spec = manifest.Inputs[input];
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                int i = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (i >= spec.Size)
                    {
                        return $"instance {index} input '{spec.Name}' must have {spec.Size} values, but has more.";
                    }

                    if (ReadNumber(ref reader, out row[offset + i]) is { } problem)
                    {
                        return $"instance {index} input '{spec.Name}' value {i} {problem}";
                    }

                    i++;
                }

                if (i != spec.Size)
                {
                    return $"instance {index} input '{spec.Name}' must have {spec.Size} values, but has {i}.";
                }
            }
            else if (spec.Size == 1)
            {
                if (ReadNumber(ref reader, out row[offset]) is { } problem)
                {
                    return $"instance {index} input '{spec.Name}' {problem}";
                }
            }
            else
            {
                return $"instance {index} input '{spec.Name}' must be a list of {spec.Size} numbers, but got {Describe(reader.TokenType)}.";
            }
        }

        for (int k = 0; k < seen.Length; k++)
        {
            if (!seen[k])
            {
                return $"instance {index} misses input '{manifest.Inputs[k].Name}'; the inputs are {InputNames(manifest)}.";
            }
        }

        return null;
    }

    private static string? ReadNumber(ref Utf8JsonReader reader, out float value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return $"must be a number, but got {Describe(reader.TokenType)}.";
        }

        if (!reader.TryGetDouble(out double number) || !float.IsFinite(value = (float)number))
        {
            return "must be a finite number within the range of float32.";
        }

        return null;
    }

    private static string InputNames(ModelManifest manifest) =>
        string.Join(", ", manifest.Inputs.Select(i => i.Shape.Count == 0 ? i.Name : $"{i.Name}[{string.Join(",", i.Shape)}]"));

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        _ => token.ToString(),
    };
}
