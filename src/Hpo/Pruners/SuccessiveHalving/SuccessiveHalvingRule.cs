using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Pruners.SuccessiveHalving;

/// <summary>
/// The asynchronous successive-halving rule (Li et al. 2018, ASHA), shared by <see cref="SuccessiveHalvingPruner"/> and each
/// bracket of <see cref="Hyperband.HyperbandPruner"/>.
/// </summary>
/// <remarks>
/// Rung k sits at step r_k = minResource · η^(k + rate). A trial is judged at a rung by the report that first reaches it
/// (the previous report was below r_k, this one is at or above it); its rung value is that report's value, and another
/// trial's rung value is its value at its first reported step at or above r_k. Among the n trials with a rung value (the
/// judged one included) the best max(1, ⌊n/η⌋) are promoted; the judged trial is pruned when that many others are strictly
/// better. A NaN rung value is pruned. Rungs at or above <c>maxResource</c> are not judged: reaching it ends the trial.
/// </remarks>
internal static class SuccessiveHalvingRule
{
    /// <summary>Gets the step of the first rung, or <see langword="null"/> when it overflows.</summary>
    public static long? FirstRung(long minResource, int reductionFactor, int rate)
    {
        long? r = minResource;
        for (int i = 0; i < rate && r is long v; i++)
        {
            r = PruningMath.TimesOrNull(v, reductionFactor);
        }

        return r;
    }

    /// <summary>Determines whether the latest report crossed any step minResource · η^j (j ≥ 0): a necessary condition for a judgement in any bracket.</summary>
    public static bool CrossedAnyRung(long previous, long step, long minResource, int reductionFactor)
    {
        for (long? r = minResource; r is long v && v <= step; r = PruningMath.TimesOrNull(v, reductionFactor))
        {
            if (v > previous)
            {
                return true;
            }
        }

        return false;
    }

    public static bool ShouldPrune(PruningContext context, long minResource, int reductionFactor, int rate, long? maxResource, Func<TrialRecord, bool>? competes)
    {
        if (context.CurrentStep is not long step)
        {
            return false;
        }

        (_, long previous) = PruningMath.LastTwoSteps(context.IntermediateValues);
        double value = context.IntermediateValues[step];
        for (long? r = FirstRung(minResource, reductionFactor, rate); r is long rung && rung <= step; r = PruningMath.TimesOrNull(rung, reductionFactor))
        {
            if (maxResource is long max && rung >= max)
            {
                break;
            }

            if (rung > previous && !Promoted(context, rung, value, reductionFactor, competes))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Promoted(PruningContext context, long rung, double value, int reductionFactor, Func<TrialRecord, bool>? competes)
    {
        if (double.IsNaN(value))
        {
            return false;
        }

        StudyDirection direction = context.Direction;
        int reached = 1;
        int better = 0;
        foreach (TrialRecord t in context.Trials)
        {
            if (t.Number == context.TrialNumber || t.IntermediateValues.IsEmpty || (competes is not null && !competes(t)))
            {
                continue;
            }

            if (PruningMath.TryGetFirstAtOrAfter(t.IntermediateValues, rung, out double other))
            {
                reached++;
                if (PruningMath.IsBetter(other, value, direction))
                {
                    better++;
                }
            }
        }

        return better < Math.Max(1, reached / reductionFactor);
    }
}
