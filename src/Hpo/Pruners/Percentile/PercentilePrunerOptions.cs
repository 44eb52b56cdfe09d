using Hpo.Internal;
using Hpo.Studies;

namespace Hpo.Pruners.Percentile;

/// <summary>Options of <see cref="PercentilePruner"/>: the percentile, and the rule's other options (<see cref="PercentileRuleOptions"/>).</summary>
public sealed class PercentilePrunerOptions : PercentileRuleOptions
{
    /// <summary>
    /// Gets or sets the share, in percent, of the best reference values a trial must be among to go on: with 25, a trial is
    /// pruned unless its value is within the best quarter of the completed trials' values at the same step.
    /// </summary>
    /// <value>The default value is 25.</value>
    public double Percentile { get; set; } = PrunerDefaults.Percentile;

    internal void Validate()
    {
        var problems = new List<string>();
        if (!(Percentile >= 0 && Percentile <= 100))
        {
            problems.Add(Format.Invariant($"Percentile must be between 0 and 100, but got {Format.Value(Percentile)}."));
        }

        AddProblems(problems);
        OptionsValidation.ThrowIfAny(nameof(PercentilePrunerOptions), problems);
    }

    internal PercentilePrunerOptions Clone() => (PercentilePrunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => PrunerSettingsJson.Write(this);

    internal static PercentilePrunerOptions FromJson(string json) => PrunerSettingsJson.Read<PercentilePrunerOptions>(json, PercentilePruner.PrunerName);
}
