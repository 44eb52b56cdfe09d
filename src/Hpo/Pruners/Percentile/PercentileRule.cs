using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Pruners.Percentile;

/// <summary>
/// The rule behind <see cref="Median.MedianPruner"/> and <see cref="PercentilePruner"/>: after the warm-up and the startup
/// trials, at the checked steps, a trial whose value is worse than a percentile of the completed trials' values at the same
/// step is pruned.
/// </summary>
internal sealed record PercentileRule(int StartupTrials, long WarmupSteps, long Interval, int MinReferenceTrials, bool CompareBestSoFar, double Percentile)
{
    public bool ShouldPrune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.CurrentStep is not long step || step < WarmupSteps || (step - WarmupSteps) % Interval != 0)
        {
            return false;
        }

        StudyDirection direction = context.Direction;
        int complete = 0;
        List<double>? references = null;
        foreach (TrialRecord t in context.Trials)
        {
            if (t.State != TrialState.Complete || t.Number == context.TrialNumber)
            {
                continue;
            }

            complete++;
            if (t.IntermediateValues.TryGetValue(step, out double v) && !double.IsNaN(v))
            {
                (references ??= []).Add(v);
            }
        }

        if (complete < StartupTrials)
        {
            return false;
        }

        double current = context.IntermediateValues[step];
        if (double.IsNaN(current))
        {
            return true; // a diverged run: NaN is worse than any threshold
        }

        if (references is null || references.Count < MinReferenceTrials)
        {
            return false;
        }

        double value = CompareBestSoFar ? PruningMath.BestUpTo(context.IntermediateValues, step, direction) : current;
        references.Sort();

        // Percentile p keeps the best p percent: the p-th percentile from the low end when minimizing, from the high end when maximizing.
        double threshold = PruningMath.Percentile(references, direction == StudyDirection.Minimize ? Percentile : 100 - Percentile);
        return PruningMath.IsBetter(threshold, value, direction);
    }
}
