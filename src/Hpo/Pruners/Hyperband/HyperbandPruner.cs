using Hpo.Pruners.SuccessiveHalving;
using Hpo.Trials;
using Hpo.Internal;

namespace Hpo.Pruners.Hyperband;

/// <summary>
/// Hyperband (Li et al. 2017, "Hyperband: a novel bandit-based approach to hyperparameter optimization") in its asynchronous
/// form (Li et al. 2018): several brackets of successive halving, from aggressive (rungs from the smallest resource) to none
/// (every trial runs to the end), each trial belonging to one bracket and competing only with the trials of its bracket.
/// </summary>
/// <remarks>
/// <para>
/// With r = <see cref="HyperbandPrunerOptions.MinResource"/>, R = <see cref="HyperbandPrunerOptions.MaxResource"/> and
/// η = <see cref="HyperbandPrunerOptions.ReductionFactor"/>, there are B = s_max + 1 brackets, where s_max is the largest s with
/// r·η^s ≤ R. Bracket e (0 ≤ e &lt; B) is the successive-halving rule of <see cref="SuccessiveHalvingPruner"/> with minimum early
/// stopping rate e: rungs at r·η^(k+e) below the top rung r·η^s_max. Bracket 0 prunes from step r on; bracket B − 1 never
/// prunes.
/// </para>
/// <para>
/// <b>Bracket of a trial.</b> Hyperband's bracket s = B − 1 − e starts n_s = ⌈B·η^s / (s + 1)⌉ configurations, so trials are
/// spread over the brackets in those proportions: trial number t of a study with seed S belongs to the first bracket e whose
/// cumulative weight n_(B−1) + … + n_(B−1−e) exceeds u·Σn, where u = the seed mixer tuners use (<c>TunerContext.DeriveSeed</c>)(S xor
/// 0x48425052, t) / 2^31. The bracket is therefore fixed by the trial's number and the study's seed, whichever worker runs it.
/// With R = 27, r = 1, η = 3: four brackets with weights 27, 12, 6 and 4 (of 49).
/// </para>
/// <para>
/// When <see cref="HyperbandPrunerOptions.MaxResource"/> is not set, R is the highest step any complete trial reported; until
/// one trial completes no trial is pruned. Trials that all train for the same number of steps keep R, and so every bracket,
/// fixed from the first completion on.
/// </para>
/// </remarks>
public sealed class HyperbandPruner : PrunerBase
{
    /// <summary>The name this pruner is registered under.</summary>
    public const string PrunerName = "hyperband";

    private const int BracketStream = 0x48425052; // "HBPR"

    private readonly HyperbandPrunerOptions options;

    /// <summary>Initializes a new instance of the <see cref="HyperbandPruner"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public HyperbandPruner(HyperbandPrunerOptions? options = null)
    {
        this.options = (options ?? new HyperbandPrunerOptions()).Clone();
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
        if (context.CurrentStep is not long step)
        {
            return false;
        }

        // Every bracket's rungs are powers r·η^j: a report that crosses none of them cannot be judged in any bracket.
        (_, long previous) = PruningMath.LastTwoSteps(context.IntermediateValues);
        if (!SuccessiveHalvingRule.CrossedAnyRung(previous, step, options.MinResource, options.ReductionFactor))
        {
            return false;
        }

        long? maxResource = options.MaxResource ?? AutoMaxResource(context);
        if (maxResource is not long max || max < options.MinResource)
        {
            return false;
        }

        int brackets = BracketCount(options.MinResource, max, options.ReductionFactor);
        double[] cumulative = CumulativeWeights(brackets, options.ReductionFactor);
        int bracket = BracketOf(context.TrialNumber, context.Seed, cumulative);
        int seed = context.Seed;

        // Rungs stop below the top rung r·η^s_max (which is R when R is a power of η times r): the last bracket never prunes.
        long topRung = SuccessiveHalvingRule.FirstRung(options.MinResource, options.ReductionFactor, brackets - 1)!.Value;
        return SuccessiveHalvingRule.ShouldPrune(context, options.MinResource, options.ReductionFactor, bracket, topRung, t => BracketOf(t.Number, seed, cumulative) == bracket);
    }

    /// <summary>Gets the number of brackets, s_max + 1, where s_max is the largest s with minResource·η^s ≤ maxResource.</summary>
    internal static int BracketCount(long minResource, long maxResource, int reductionFactor)
    {
        int count = 1;
        for (long? r = PruningMath.TimesOrNull(minResource, reductionFactor); r is long v && v <= maxResource; r = PruningMath.TimesOrNull(v, reductionFactor))
        {
            count++;
        }

        return count;
    }

    /// <summary>Gets the bracket (its minimum early-stopping rate) of a trial, given the brackets' cumulative weights.</summary>
    internal static int BracketOf(int trialNumber, int seed, double[] cumulative)
    {
        double u = Seeds.Derive(seed ^ BracketStream, trialNumber) / 2147483648.0 * cumulative[^1];
        for (int e = 0; e < cumulative.Length - 1; e++)
        {
            if (u < cumulative[e])
            {
                return e;
            }
        }

        return cumulative.Length - 1;
    }

    /// <summary>Gets the cumulative weights of brackets e = 0 … B − 1, bracket e weighing ⌈B·η^s / (s + 1)⌉ with s = B − 1 − e.</summary>
    internal static double[] CumulativeWeights(int brackets, int reductionFactor)
    {
        double[] cumulative = new double[brackets];
        double total = 0;
        for (int e = 0; e < brackets; e++)
        {
            int s = brackets - 1 - e;
            double power = 1;
            for (int i = 0; i < s; i++)
            {
                power *= reductionFactor;
            }

            total += Math.Ceiling(brackets * power / (s + 1));
            cumulative[e] = total;
        }

        return cumulative;
    }

    private static long? AutoMaxResource(PruningContext context)
    {
        long? max = null;
        foreach (TrialRecord t in context.Trials)
        {
            if (t.State == TrialState.Complete && !t.IntermediateValues.IsEmpty)
            {
                long last = PruningMath.LastTwoSteps(t.IntermediateValues).Last;
                if (max is not long m || last > m)
                {
                    max = last;
                }
            }
        }

        return max;
    }
}
