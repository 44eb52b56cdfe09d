using System.Text.Json.Serialization;
using Hpo.Internal;

namespace Hpo.Pruners.Percentile;

/// <summary>
/// The options that <see cref="Median.MedianPrunerOptions"/> and <see cref="PercentilePrunerOptions"/> share: when a trial
/// is checked and what its value is compared with. The median pruner is the percentile rule at the 50th percentile.
/// </summary>
/// <remarks>Only the pruners' own options derive from this class.</remarks>
public abstract class PercentileRuleOptions
{
    private protected PercentileRuleOptions()
    {
    }

    // The settings JSON lists these after the derived class's own properties (the percentile first), as it always has.

    /// <summary>Gets or sets how many trials must be complete before any trial is pruned.</summary>
    /// <value>The default value is 5.</value>
    [JsonPropertyOrder(1)]
    public int StartupTrials { get; set; } = PrunerDefaults.StartupTrials;

    /// <summary>Gets or sets the number of steps during which a trial is never pruned: steps lower than this are not checked.</summary>
    /// <value>The default value is 0.</value>
    [JsonPropertyOrder(2)]
    public long WarmupSteps { get; set; } = PrunerDefaults.WarmupSteps;

    /// <summary>
    /// Gets or sets how often a trial is checked after its warm-up: only at steps where (step − <see cref="WarmupSteps"/>) is a
    /// multiple of the interval.
    /// </summary>
    /// <value>The default value is 1 (every step).</value>
    [JsonPropertyOrder(3)]
    public long Interval { get; set; } = PrunerDefaults.Interval;

    /// <summary>Gets or sets how many completed trials must have reported a value at the step for it to be checked.</summary>
    /// <value>The default value is 1.</value>
    [JsonPropertyOrder(4)]
    public int MinReferenceTrials { get; set; } = PrunerDefaults.MinReferenceTrials;

    /// <summary>
    /// Gets or sets a value indicating whether the trial's best value up to the step is compared (rather than its value at the
    /// step), as in the median stopping rule of Golovin et al. (2017), so that a noisy dip does not prune a trial that was good before.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    [JsonPropertyOrder(5)]
    public bool CompareBestSoFar { get; set; } = PrunerDefaults.CompareBestSoFar;

    /// <summary>Adds one line per invalid shared option to <paramref name="problems"/>, in declaration order.</summary>
    private protected void AddProblems(List<string> problems)
    {
        if (StartupTrials < 0)
        {
            problems.Add(Format.Invariant($"StartupTrials must be zero or more, but got {StartupTrials}."));
        }

        if (WarmupSteps < 0)
        {
            problems.Add(Format.Invariant($"WarmupSteps must be zero or more, but got {WarmupSteps}."));
        }

        if (Interval < 1)
        {
            problems.Add(Format.Invariant($"Interval must be at least 1, but got {Interval}."));
        }

        if (MinReferenceTrials < 1)
        {
            problems.Add(Format.Invariant($"MinReferenceTrials must be at least 1, but got {MinReferenceTrials}."));
        }
    }

    /// <summary>Gets the rule these options describe, at <paramref name="percentile"/>.</summary>
    internal PercentileRule ToRule(double percentile) =>
        new(StartupTrials, WarmupSteps, Interval, MinReferenceTrials, CompareBestSoFar, percentile);
}
