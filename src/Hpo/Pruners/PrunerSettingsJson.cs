using System.Text.Json;

namespace Hpo.Pruners;

/// <summary>Reads and writes pruner settings (the JSON stored with a study), turning malformed text into a <see cref="FormatException"/>.</summary>
internal static class PrunerSettingsJson
{
    private static readonly JsonSerializerOptions Options = new() { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public static string Write<T>(T dto) => JsonSerializer.Serialize(dto);

    public static T Read<T>(string? json, string prunerName)
        where T : new()
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new T();
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? new T();
        }
        catch (JsonException e)
        {
            throw new FormatException($"The settings of pruner '{prunerName}' are not valid: {e.Message}", e);
        }
    }
}
