using Hpo.Pruners.Percentile;

namespace Hpo.Pruners.Median;

/// <summary>
/// Prunes a trial whose value at a step is worse than the median of the completed trials' values at the same step — the
/// median stopping rule of Golovin et al. (2017), "Google Vizier: a service for black-box optimization".
/// </summary>
/// <remarks>
/// <para>
/// The rules are those of <see cref="PercentilePruner"/> with the 50th percentile: no pruning below
/// <see cref="PercentileRuleOptions.WarmupSteps"/>, only at steps on the <see cref="PercentileRuleOptions.Interval"/>, only once
/// <see cref="PercentileRuleOptions.StartupTrials"/> trials are complete and at least
/// <see cref="PercentileRuleOptions.MinReferenceTrials"/> of them reported at the step; a NaN value is pruned; otherwise the
/// trial's best value so far (or its current value) is pruned when strictly worse than the median of the complete trials'
/// values at that step. Running and pruned trials are not references: their curves are partial and biased.
/// </para>
/// <para>Cost: O(trials · log steps) per question, plus sorting the references.</para>
/// </remarks>
public sealed class MedianPruner : PrunerBase
{
    /// <summary>The name this pruner is registered under.</summary>
    public const string PrunerName = "median";

    private readonly MedianPrunerOptions options;
    private readonly PercentileRule rule;

    /// <summary>Initializes a new instance of the <see cref="MedianPruner"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public MedianPruner(MedianPrunerOptions? options = null)
    {
        this.options = (options ?? new MedianPrunerOptions()).Clone();
        this.options.Validate();
        rule = this.options.ToRule(50.0);
    }

    /// <inheritdoc/>
    public override string Name => PrunerName;

    /// <inheritdoc/>
    public override string Settings => options.ToJson();

    /// <inheritdoc/>
    public override bool ShouldPrune(PruningContext context) => rule.ShouldPrune(context);
}
