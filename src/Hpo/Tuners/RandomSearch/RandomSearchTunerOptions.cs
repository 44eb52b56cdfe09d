using System.Text.Json;

namespace Hpo.Tuners.RandomSearch;

/// <summary>Options of <see cref="RandomSearchTuner"/>.</summary>
public sealed class RandomSearchTunerOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether, in a finite space (every parameter discrete) that is not yet exhausted, the tuner
    /// avoids points that were already tried or are running.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AvoidRepeats { get; set; } = true;

    internal string ToJson() => JsonSerializer.Serialize(new Dto { AvoidRepeats = AvoidRepeats });

    internal static RandomSearchTunerOptions FromJson(string json)
    {
        Dto? dto = JsonSerializer.Deserialize<Dto>(json);
        return new RandomSearchTunerOptions { AvoidRepeats = dto?.AvoidRepeats ?? true };
    }

    private sealed class Dto
    {
        public bool? AvoidRepeats { get; set; }
    }
}
