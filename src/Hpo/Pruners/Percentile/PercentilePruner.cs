namespace Hpo.Pruners.Percentile;

/// <summary>
/// Prunes a trial whose value at a step is worse than a percentile of the completed trials' values at the same step: with
/// the default 25, a trial goes on only while it stays within the best quarter.
/// </summary>
/// <remarks>
/// <para>The rules, in order, for the trial's latest reported step <c>s</c>:</para>
/// <list type="number">
/// <item><description>No pruning at steps below <see cref="PercentileRuleOptions.WarmupSteps"/>, nor at steps where
/// (s − WarmupSteps) is not a multiple of <see cref="PercentileRuleOptions.Interval"/>.</description></item>
/// <item><description>No pruning until <see cref="PercentileRuleOptions.StartupTrials"/> trials are complete.</description></item>
/// <item><description>A NaN value at s (a diverged run) is pruned.</description></item>
/// <item><description>The references are the values that complete trials reported at exactly s (NaN ones left out); with fewer
/// than <see cref="PercentileRuleOptions.MinReferenceTrials"/>, no pruning.</description></item>
/// <item><description>The trial's best value up to s (or its value at s, see <see cref="PercentileRuleOptions.CompareBestSoFar"/>)
/// is compared with the p-th percentile of the references counted from the best end (linear interpolation between ranks):
/// strictly worse is pruned.</description></item>
/// </list>
/// <para>Cost: O(trials · log steps) per question, plus sorting the references.</para>
/// </remarks>
public sealed class PercentilePruner : PrunerBase
{
    /// <summary>The name this pruner is registered under.</summary>
    public const string PrunerName = "percentile";

    private readonly PercentilePrunerOptions options;
    private readonly PercentileRule rule;

    /// <summary>Initializes a new instance of the <see cref="PercentilePruner"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public PercentilePruner(PercentilePrunerOptions? options = null)
    {
        this.options = (options ?? new PercentilePrunerOptions()).Clone();
        this.options.Validate();
        rule = this.options.ToRule(this.options.Percentile);
    }

    /// <inheritdoc/>
    public override string Name => PrunerName;

    /// <inheritdoc/>
    public override string Settings => options.ToJson();

    /// <inheritdoc/>
    public override bool ShouldPrune(PruningContext context) => rule.ShouldPrune(context);
}
