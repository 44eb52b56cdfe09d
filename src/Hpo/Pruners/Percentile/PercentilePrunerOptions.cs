using Hpo.Internal;
using Hpo.Studies;

namespace Hpo.Pruners.Percentile;

/// <summary>Options of <see cref="PercentilePruner"/>.</summary>
public sealed class PercentilePrunerOptions
{
    /// <summary>
    /// Gets or sets the share, in percent, of the best reference values a trial must be among to go on: with 25, a trial is
    /// pruned unless its value is within the best quarter of the completed trials' values at the same step.
    /// </summary>
    /// <value>The default value is 25.</value>
    public double Percentile { get; set; } = PrunerDefaults.Percentile;

    /// <summary>Gets or sets how many trials must be complete before any trial is pruned.</summary>
    /// <value>The default value is 5.</value>
    public int StartupTrials { get; set; } = PrunerDefaults.StartupTrials;

    /// <summary>Gets or sets the number of steps during which a trial is never pruned: steps lower than this are not checked.</summary>
    /// <value>The default value is 0.</value>
    public long WarmupSteps { get; set; } = PrunerDefaults.WarmupSteps;

    /// <summary>
    /// Gets or sets how often a trial is checked after its warm-up: only at steps where (step − <see cref="WarmupSteps"/>) is a
    /// multiple of the interval.
    /// </summary>
    /// <value>The default value is 1 (every step).</value>
    public long Interval { get; set; } = PrunerDefaults.Interval;

    /// <summary>Gets or sets how many completed trials must have reported a value at the step for it to be checked.</summary>
    /// <value>The default value is 1.</value>
    public int MinReferenceTrials { get; set; } = PrunerDefaults.MinReferenceTrials;

    /// <summary>
    /// Gets or sets a value indicating whether the trial's best value up to the step is compared (rather than its value at the
    /// step), so that a noisy dip does not prune a trial that was good before.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CompareBestSoFar { get; set; } = PrunerDefaults.CompareBestSoFar;

    internal void Validate()
    {
        var problems = new List<string>();
        if (!(Percentile >= 0 && Percentile <= 100))
        {
            problems.Add(Format.Invariant($"Percentile must be between 0 and 100, but got {Format.Value(Percentile)}."));
        }

        MedianPrunerOptionsValidation.AddProblems(problems, StartupTrials, WarmupSteps, Interval, MinReferenceTrials);
        OptionsValidation.ThrowIfAny(nameof(PercentilePrunerOptions), problems);
    }

    internal PercentilePrunerOptions Clone() => (PercentilePrunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => PrunerSettingsJson.Write(this);

    internal static PercentilePrunerOptions FromJson(string json) => PrunerSettingsJson.Read<PercentilePrunerOptions>(json, PercentilePruner.PrunerName);
}

/// <summary>The checks the median and percentile pruners' options share, with the same messages.</summary>
internal static class MedianPrunerOptionsValidation
{
    public static void AddProblems(List<string> problems, int startupTrials, long warmupSteps, long interval, int minReferenceTrials)
    {
        if (startupTrials < 0)
        {
            problems.Add(Format.Invariant($"StartupTrials must be zero or more, but got {startupTrials}."));
        }

        if (warmupSteps < 0)
        {
            problems.Add(Format.Invariant($"WarmupSteps must be zero or more, but got {warmupSteps}."));
        }

        if (interval < 1)
        {
            problems.Add(Format.Invariant($"Interval must be at least 1, but got {interval}."));
        }

        if (minReferenceTrials < 1)
        {
            problems.Add(Format.Invariant($"MinReferenceTrials must be at least 1, but got {minReferenceTrials}."));
        }
    }
}
