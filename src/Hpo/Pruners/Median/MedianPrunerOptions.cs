using Hpo.Pruners.Percentile;

namespace Hpo.Pruners.Median;

/// <summary>Options of <see cref="MedianPruner"/>: those of the percentile rule (<see cref="PercentileRuleOptions"/>), at the 50th percentile.</summary>
public sealed class MedianPrunerOptions : PercentileRuleOptions
{
    internal void Validate()
    {
        var problems = new List<string>();
        AddProblems(problems);
        OptionsValidation.ThrowIfAny(nameof(MedianPrunerOptions), problems);
    }

    internal MedianPrunerOptions Clone() => (MedianPrunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => PrunerSettingsJson.Write(this);

    internal static MedianPrunerOptions FromJson(string json) => PrunerSettingsJson.Read<MedianPrunerOptions>(json, MedianPruner.PrunerName);
}
