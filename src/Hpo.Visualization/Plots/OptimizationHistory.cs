using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>The optimization history: every complete trial's value in trial order, with the best value so far.</summary>
/// <param name="Direction">The study's direction.</param>
/// <param name="Points">The complete trials with a finite value, by number.</param>
/// <param name="BestNumber">The best trial's number, or <see langword="null"/> when no trial is complete.</param>
public sealed record OptimizationHistory(StudyDirection Direction, IReadOnlyList<HistoryPoint> Points, int? BestNumber)
{
    /// <summary>Computes the history of a study.</summary>
    /// <param name="data">The study.</param>
    /// <returns>The history; empty when no trial is complete.</returns>
    public static OptimizationHistory Compute(StudyData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var points = new List<HistoryPoint>(data.CompleteTrials.Count);
        double best = double.NaN;
        int? bestNumber = null;
        foreach (TrialRecord t in data.CompleteTrials)
        {
            double v = t.Value!.Value;
            bool improvement = bestNumber is null || data.IsBetter(v, best);
            if (improvement)
            {
                best = v;
                bestNumber = t.Number;
            }

            points.Add(new HistoryPoint(t.Number, v, best, improvement));
        }

        return new OptimizationHistory(data.Direction, points, bestNumber);
    }
}
