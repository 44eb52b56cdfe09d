using Hpo.Studies;
using Hpo.Trials;
using Hpo.Visualization.Plots;

namespace Hpo.Visualization.Tests.Plots;

public sealed class OptimizationHistoryTests
{
    [Fact]
    public void Compute_Minimize_BestSoFarIsRunningMinimumOverCompleteTrialsOnly()
    {
        var s = new Studies(Studies.XY);
        s.Complete(5, ("x", 0.1), ("y", 0.1));
        s.Add(TrialState.Failed, null, new Dictionary<string, object> { ["x"] = 0.2, ["y"] = 0.2 });
        s.Complete(7, ("x", 0.3), ("y", 0.3));
        s.Add(TrialState.Pruned, 0.5, new Dictionary<string, object> { ["x"] = 0.4, ["y"] = 0.4 });
        s.Complete(3, ("x", 0.5), ("y", 0.5));
        s.Complete(3, ("x", 0.6), ("y", 0.6));
        s.Complete(4, ("x", 0.7), ("y", 0.7));

        OptimizationHistory h = OptimizationHistory.Compute(s.Build());

        Assert.Equal([0, 2, 4, 5, 6], h.Points.Select(p => p.Number));
        Assert.Equal([5.0, 5, 3, 3, 3], h.Points.Select(p => p.BestSoFar));
        Assert.Equal([true, false, true, false, false], h.Points.Select(p => p.IsImprovement));
        Assert.Equal(4, h.BestNumber);
    }

    [Fact]
    public void Compute_Maximize_BestSoFarIsRunningMaximum()
    {
        var s = new Studies(Studies.XY, StudyDirection.Maximize);
        foreach (double v in new[] { 1.0, 3, 2, 5, 4 })
        {
            s.Complete(v, ("x", 0.1), ("y", 0.1));
        }

        OptimizationHistory h = OptimizationHistory.Compute(s.Build());

        Assert.Equal([1.0, 3, 3, 5, 5], h.Points.Select(p => p.BestSoFar));
        Assert.Equal(3, h.BestNumber);
    }

    [Fact]
    public void Compute_OnlyFailedTrials_IsEmpty()
    {
        var s = new Studies(Studies.XY);
        s.Add(TrialState.Failed, null, new Dictionary<string, object> { ["x"] = 0.2, ["y"] = 0.2 });
        s.Add(TrialState.Failed, null, new Dictionary<string, object>());

        OptimizationHistory h = OptimizationHistory.Compute(s.Build());

        Assert.Empty(h.Points);
        Assert.Null(h.BestNumber);
    }
}
