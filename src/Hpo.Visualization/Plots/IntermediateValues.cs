using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>The intermediate values (learning curves) of the trials that reported any, pruned trials marked.</summary>
/// <param name="Curves">The curves, by trial number.</param>
/// <param name="Omitted">The trials with intermediate values left out because of <c>maxTrials</c> (the oldest are left out first).</param>
public sealed record IntermediateValues(IReadOnlyList<LearningCurve> Curves, int Omitted)
{
    /// <summary>The number of curves kept by default: more lines than this are unreadable on one plot.</summary>
    public const int DefaultMaxTrials = 1000;

    /// <summary>Computes the curves.</summary>
    /// <param name="data">The study.</param>
    /// <param name="maxTrials">The most curves to keep: the latest trials are kept.</param>
    /// <returns>The curves.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTrials"/> is less than 1.</exception>
    public static IntermediateValues Compute(StudyData data, int maxTrials = DefaultMaxTrials)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrials, 1);
        var curves = new List<LearningCurve>();
        foreach (TrialRecord t in data.Trials)
        {
            if (t.IntermediateValues.Count == 0)
            {
                continue;
            }

            var steps = new List<long>(t.IntermediateValues.Count);
            var values = new List<double>(t.IntermediateValues.Count);
            foreach ((long step, double value) in t.IntermediateValues)
            {
                if (double.IsFinite(value))
                {
                    steps.Add(step);
                    values.Add(value);
                }
            }

            if (steps.Count > 0)
            {
                curves.Add(new LearningCurve(t.Number, t.State, steps, values));
            }
        }

        int omitted = Math.Max(0, curves.Count - maxTrials);
        return new IntermediateValues(omitted > 0 ? curves[omitted..] : curves, omitted);
    }
}
