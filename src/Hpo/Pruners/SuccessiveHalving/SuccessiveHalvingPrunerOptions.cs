using Hpo.Internal;
using Hpo.Studies;

namespace Hpo.Pruners.SuccessiveHalving;

/// <summary>Options of <see cref="SuccessiveHalvingPruner"/>.</summary>
public sealed class SuccessiveHalvingPrunerOptions
{
    /// <summary>Gets or sets the resource (step) of the lowest rung, before <see cref="MinEarlyStoppingRate"/> raises it.</summary>
    /// <value>The default value is 1.</value>
    public long MinResource { get; set; } = PrunerDefaults.MinResource;

    /// <summary>Gets or sets η: each rung is η times the step of the one below, and the best 1/η of a rung's trials are promoted.</summary>
    /// <value>The default value is 3.</value>
    public int ReductionFactor { get; set; } = PrunerDefaults.ReductionFactor;

    /// <summary>Gets or sets s, which raises the rungs to <see cref="MinResource"/> · η^(k + s): larger values prune later.</summary>
    /// <value>The default value is 0.</value>
    public int MinEarlyStoppingRate { get; set; } = PrunerDefaults.MinEarlyStoppingRate;

    /// <summary>
    /// Gets or sets the step at which a trial is complete (for example the number of epochs): rungs at or above it are not
    /// judged, so a trial that reaches it is never pruned.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: rungs go on without limit.</value>
    public long? MaxResource { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        ResourceValidation.AddProblems(problems, MinResource, MaxResource, ReductionFactor);
        if (MinEarlyStoppingRate < 0)
        {
            problems.Add(Format.Invariant($"MinEarlyStoppingRate must be zero or more, but got {MinEarlyStoppingRate}."));
        }

        OptionsValidation.ThrowIfAny(nameof(SuccessiveHalvingPrunerOptions), problems);
    }

    internal SuccessiveHalvingPrunerOptions Clone() => (SuccessiveHalvingPrunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => PrunerSettingsJson.Write(this);

    internal static SuccessiveHalvingPrunerOptions FromJson(string json) => PrunerSettingsJson.Read<SuccessiveHalvingPrunerOptions>(json, SuccessiveHalvingPruner.PrunerName);
}

/// <summary>The checks the successive-halving and Hyperband options share, with the same messages.</summary>
internal static class ResourceValidation
{
    public static void AddProblems(List<string> problems, long minResource, long? maxResource, int reductionFactor)
    {
        if (minResource < 1)
        {
            problems.Add(Format.Invariant($"MinResource must be at least 1, but got {minResource}."));
        }

        if (reductionFactor < 2)
        {
            problems.Add(Format.Invariant($"ReductionFactor must be at least 2, but got {reductionFactor}."));
        }

        if (maxResource is long max && max < minResource)
        {
            problems.Add(Format.Invariant($"MaxResource must be null or at least MinResource ({minResource}), but got {max}."));
        }
    }
}
