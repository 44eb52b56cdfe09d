using Hpo.SearchSpaces;
using Hpo.Trials;
using Hpo.Visualization.Plots;

namespace Hpo.Visualization.Tests.Plots;

public sealed class PlotDataTests
{
    private static readonly SearchSpace Conditional = new SearchSpaceBuilder()
        .AddFloat("lr", 1e-4, 1e-1, log: true)
        .AddCategorical("opt", "sgd", "adam")
        .AddFloat("beta", 0.5, 0.9, condition: ParameterCondition.When("opt", "adam"))
        .Build();

    private static StudyData ConditionalStudy()
    {
        var s = new Studies(Conditional);
        s.Complete(0.5, ("lr", 1e-3), ("opt", "sgd"));
        s.Complete(0.2, ("lr", 1e-2), ("opt", "adam"), ("beta", 0.7));
        s.Complete(0.9, ("lr", 1e-4), ("opt", "adam"), ("beta", 0.5));
        return s.Build();
    }

    [Fact]
    public void SliceCompute_ConditionalParameter_ListsPresentPointsAndCountsAbsent()
    {
        SlicePlot beta = SlicePlot.Compute(ConditionalStudy(), "beta");

        Assert.Equal([(1, 0.7, 0.2), (2, 0.5, 0.9)], beta.Points.Select(p => (p.Number, p.X, p.Value)));
        Assert.Equal(1, beta.Absent);
    }

    [Fact]
    public void SliceCompute_Categorical_XIsChoiceIndex()
    {
        SlicePlot opt = SlicePlot.Compute(ConditionalStudy(), "opt");

        Assert.Equal([0.0, 1, 1], opt.Points.Select(p => p.X));
        Assert.Equal(["sgd", "adam"], opt.Axis.Categories);
    }

    [Fact]
    public void SliceCompute_UnknownParameter_ThrowsNamingKnownParameters()
    {
        var e = Assert.Throws<ArgumentException>(() => SlicePlot.Compute(ConditionalStudy(), "nope"));

        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains("lr, opt, beta", e.Message, StringComparison.Ordinal);
        Assert.Equal("parameter", e.ParamName);
    }

    [Fact]
    public void ParallelCoordinatesCompute_LogAndCategoricalAxes_NormalisedPositionsAndNullWhenAbsent()
    {
        ParallelCoordinates pc = ParallelCoordinates.Compute(ConditionalStudy());

        Assert.Equal(0.2, pc.ValueLow);
        Assert.Equal(0.9, pc.ValueHigh);
        // lr 1e-3 on a log axis from 1e-4 to 1e-1 sits one third of the way; sgd is the first choice; beta is absent.
        Assert.Equal(1.0 / 3, pc.Lines[0].Positions[0]!.Value, 12);
        Assert.Equal(0.0, pc.Lines[0].Positions[1]);
        Assert.Null(pc.Lines[0].Positions[2]);
        Assert.Equal(0.5, pc.Lines[1].Positions[2]!.Value, 12);
    }

    [Fact]
    public void ContourCompute_GridPassesThroughTrialsAndStaysWithinTheirRange()
    {
        var s = new Studies(Studies.XY);
        s.Complete(1, ("x", 0.0), ("y", 0.0));
        s.Complete(2, ("x", 1.0), ("y", 1.0));
        s.Complete(3, ("x", 1.0), ("y", 0.0));

        ContourPlot c = ContourPlot.Compute(s.Build(), "x", "y", gridSize: 11);

        Assert.Equal(11, c.XGrid.Count);
        Assert.Equal(1.0, c.Z[0][0]);
        Assert.Equal(2.0, c.Z[10][10]);
        Assert.Equal(3.0, c.Z[0][10]);
        Assert.All(c.Z.SelectMany(r => r), z => Assert.InRange(z, 1.0, 3.0));
    }

    [Fact]
    public void ContourCompute_SameParameterTwice_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => ContourPlot.Compute(new Studies(Studies.XY).Build(), "x", "x"));

        Assert.Contains("two different parameters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IntermediateValuesCompute_MarksPrunedAndDropsNonFiniteValues()
    {
        var s = new Studies(Studies.XY);
        s.Add(TrialState.Complete, 0.1, new Dictionary<string, object> { ["x"] = 0.1, ["y"] = 0.1 }, intermediate: new Dictionary<long, double> { [0] = 1, [1] = 0.5, [2] = 0.1 });
        s.Add(TrialState.Pruned, 0.8, new Dictionary<string, object> { ["x"] = 0.2, ["y"] = 0.2 }, intermediate: new Dictionary<long, double> { [0] = 1.2, [1] = double.NaN, [2] = 0.8 });
        s.Complete(0.3, ("x", 0.3), ("y", 0.3));

        IntermediateValues iv = IntermediateValues.Compute(s.Build());

        Assert.Equal(2, iv.Curves.Count);
        Assert.False(iv.Curves[0].IsPruned);
        Assert.True(iv.Curves[1].IsPruned);
        Assert.Equal([0L, 2], iv.Curves[1].Steps);
        Assert.All(iv.Curves.SelectMany(c => c.Values), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void IntermediateValuesCompute_MaxTrials_KeepsLatest()
    {
        var s = new Studies(Studies.XY);
        for (int i = 0; i < 5; i++)
        {
            s.Add(TrialState.Complete, i, new Dictionary<string, object> { ["x"] = 0.1, ["y"] = 0.1 }, intermediate: new Dictionary<long, double> { [0] = i });
        }

        IntermediateValues iv = IntermediateValues.Compute(s.Build(), maxTrials: 2);

        Assert.Equal([3, 4], iv.Curves.Select(c => c.Number));
        Assert.Equal(3, iv.Omitted);
    }

    [Fact]
    public void TimelineCompute_LanesPerWorker_StaleEndsAtLastHeartbeat_RetryRecorded_RunningEndsAtSnapshot()
    {
        var p = new Dictionary<string, object> { ["x"] = 0.1, ["y"] = 0.1 };
        var s = new Studies(Studies.XY);
        s.Add(TrialState.Complete, 1, p, start: 10, end: 12, owner: "a");
        s.Add(TrialState.Stale, null, p, start: 11, end: 40, owner: "b", heartbeat: 15);
        s.Add(TrialState.Complete, 2, p, start: 12, end: 20, owner: "a", retryOf: 1);
        s.Add(TrialState.Running, null, p, start: 20, owner: "c");
        s.Add(TrialState.Waiting, null, p);

        Timeline t = Timeline.Compute(s.Build(takenAt: 30));

        Assert.Equal(["a", "b", "c"], t.Workers);
        Assert.Equal(Studies.T0.AddSeconds(10), t.Origin);
        Assert.Equal(4, t.Bars.Count);
        Assert.Equal((1, 1.0, 5.0, TrialState.Stale), (t.Bars[1].Lane, t.Bars[1].Start, t.Bars[1].End, t.Bars[1].State));
        Assert.Equal((1, 1), (t.Bars[2].RetryOf, t.Bars[2].Attempt));
        Assert.Equal(20.0, t.Bars[3].End);
    }

    [Fact]
    public void StudyData_Counts_AndBestTrial()
    {
        var p = new Dictionary<string, object> { ["x"] = 0.1, ["y"] = 0.1 };
        var s = new Studies(Studies.XY);
        s.Complete(2, ("x", 0.1), ("y", 0.1));
        s.Complete(1, ("x", 0.2), ("y", 0.1));
        s.Complete(1, ("x", 0.3), ("y", 0.1));
        s.Add(TrialState.Failed, null, p);
        s.Add(TrialState.Pruned, null, p);
        StudyData d = s.Build();

        Assert.Equal(1, d.BestTrial!.Number);
        Assert.Equal((3, 1, 1, 5), (d.Counts.Complete, d.Counts.Failed, d.Counts.Pruned, d.Counts.Total));
    }

    [Fact]
    public async Task LoadAsync_UnknownStudy_ThrowsNamingTheKnownStudies()
    {
        await using var storage = new Hpo.Storage.InMemory.InMemoryStudyStorage();
        await storage.CreateStudyAsync(new Hpo.Storage.StudyDefinition { Name = "known", SearchSpace = Studies.XY, Directions = [Hpo.StudyDirection.Minimize], TunerName = "random", Seed = 1 }, default);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => StudyData.LoadAsync(storage, "missing"));

        Assert.Contains("no study named 'missing'", e.Message, StringComparison.Ordinal);
        Assert.Contains("known", e.Message, StringComparison.Ordinal);
    }
}
