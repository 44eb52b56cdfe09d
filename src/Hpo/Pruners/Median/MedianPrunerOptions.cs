using Hpo.Pruners.Percentile;
using Hpo.Studies;

namespace Hpo.Pruners.Median;

/// <summary>Options of <see cref="MedianPruner"/>.</summary>
public sealed class MedianPrunerOptions
{
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
    /// step), as in the median stopping rule of Golovin et al. (2017), so that a noisy dip does not prune a good trial.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CompareBestSoFar { get; set; } = PrunerDefaults.CompareBestSoFar;

    internal void Validate()
    {
        var problems = new List<string>();
        MedianPrunerOptionsValidation.AddProblems(problems, StartupTrials, WarmupSteps, Interval, MinReferenceTrials);
        OptionsValidation.ThrowIfAny(nameof(MedianPrunerOptions), problems);
    }

    internal MedianPrunerOptions Clone() => (MedianPrunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => PrunerSettingsJson.Write(this);

    internal static MedianPrunerOptions FromJson(string json) => PrunerSettingsJson.Read<MedianPrunerOptions>(json, MedianPruner.PrunerName);
}
