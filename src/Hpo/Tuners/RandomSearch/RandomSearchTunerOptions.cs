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

    // The tuner keeps its own copy, taken at construction: changing the caller's object afterwards has no effect.
    internal RandomSearchTunerOptions Clone() => (RandomSearchTunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => JsonSerializer.Serialize(this);

    internal static RandomSearchTunerOptions FromJson(string json) => JsonSerializer.Deserialize<RandomSearchTunerOptions>(json) ?? new();
}
