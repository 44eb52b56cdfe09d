using Hpo.Pruners.SuccessiveHalving;
using Hpo.Studies;

namespace Hpo.Pruners.Hyperband;

/// <summary>Options of <see cref="HyperbandPruner"/>.</summary>
public sealed class HyperbandPrunerOptions
{
    /// <summary>Gets or sets the smallest resource (step) at which the most aggressive bracket judges trials.</summary>
    /// <value>The default value is 1.</value>
    public long MinResource { get; set; } = PrunerDefaults.MinResource;

    /// <summary>
    /// Gets or sets the resource at which a trial is complete (for example the number of epochs); with
    /// <see cref="MinResource"/> and <see cref="ReductionFactor"/> it sets the number of brackets.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the highest step any complete trial reported, so no trial is pruned until
    /// one trial has completed.
    /// </value>
    public long? MaxResource { get; set; }

    /// <summary>Gets or sets η, the reduction factor of every bracket's successive halving.</summary>
    /// <value>The default value is 3.</value>
    public int ReductionFactor { get; set; } = PrunerDefaults.ReductionFactor;

    internal void Validate()
    {
        var problems = new List<string>();
        ResourceValidation.AddProblems(problems, MinResource, MaxResource, ReductionFactor);
        OptionsValidation.ThrowIfAny(nameof(HyperbandPrunerOptions), problems);
    }

    internal HyperbandPrunerOptions Clone() => (HyperbandPrunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => PrunerSettingsJson.Write(this);

    internal static HyperbandPrunerOptions FromJson(string json) => PrunerSettingsJson.Read<HyperbandPrunerOptions>(json, HyperbandPruner.PrunerName);
}
