using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tuners;

/// <summary>The default recommendation of <see cref="ITuner.Recommend"/>: the complete trial with the best value.</summary>
internal static class TunerRecommendation
{
    /// <summary>Gets the complete trial with the best finite value in the context's direction (the lowest number on ties), or <see langword="null"/>.</summary>
    public static TrialRecord? BestValue(TunerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        bool maximize = context.Direction == StudyDirection.Maximize;
        TrialRecord? best = null;
        foreach (TrialRecord t in context.Trials)
        {
            if (t.State != TrialState.Complete || t.Value is not double v || double.IsNaN(v))
            {
                continue;
            }

            if (best is null || (maximize ? v > best.Value!.Value : v < best.Value!.Value))
            {
                best = t;
            }
        }

        return best;
    }
}
