namespace Hpo.Pruners.SuccessiveHalving;

/// <summary>
/// Asynchronous successive halving (ASHA; Li et al. 2018, "A system for massively parallel hyperparameter tuning"): rungs
/// at steps <c>MinResource · η^(k + s)</c>, and a trial that reaches a rung goes on only if it is among the best 1/η of the
/// trials that reached that rung.
/// </summary>
/// <remarks>
/// <para>
/// A trial is judged at a rung by the report that first reaches it: the report before was below the rung's step, this one is
/// at or above it. Its rung value is that report's value; every other trial of the study (running, complete or pruned, from
/// any worker) that reported at or after the rung's step competes with its value at its first such step. Of the n trials with
/// a rung value, the judged one included, the best max(1, ⌊n/η⌋) are promoted; the judged trial is pruned when that many
/// others are strictly better. The first trial to reach a rung therefore always goes on: the paper's scheduler, which
/// promotes configurations rather than stopping them, would leave it waiting until η trials had reached the rung, and a
/// stopping rule cannot wait. A NaN value at a rung is pruned.
/// </para>
/// <para>
/// Decisions are recomputed from the storage's history, never kept in memory, so they hold across workers and resumes: each
/// rung is judged once, at the report that reaches it, and later questions between two rungs return <see langword="false"/>.
/// Ask after every report (the usual loop) so that no rung is passed unjudged. Set
/// <see cref="SuccessiveHalvingPrunerOptions.MaxResource"/> to the final step, so that trials reaching it complete.
/// </para>
/// <para>Cost: O(log steps) per question between rungs; O(trials · log steps) at a rung.</para>
/// </remarks>
public sealed class SuccessiveHalvingPruner : PrunerBase
{
    /// <summary>The name this pruner is registered under.</summary>
    public const string PrunerName = "asha";

    private readonly SuccessiveHalvingPrunerOptions options;

    /// <summary>Initializes a new instance of the <see cref="SuccessiveHalvingPruner"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions? options = null)
    {
        this.options = (options ?? new SuccessiveHalvingPrunerOptions()).Clone();
        this.options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => PrunerName;

    /// <inheritdoc/>
    public override string Settings => options.ToJson();

    /// <inheritdoc/>
    public override bool ShouldPrune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return SuccessiveHalvingRule.ShouldPrune(context, options.MinResource, options.ReductionFactor, options.MinEarlyStoppingRate, options.MaxResource, competes: null);
    }
}
