using Hpo.Trials;

namespace Hpo.Tests.Trials;

public class TrialCountsTests
{
    [Fact]
    public void FinishedAndTotal_SumTheRightStates()
    {
        var counts = new TrialCounts(Waiting: 1, Running: 2, Complete: 3, Pruned: 4, Failed: 5);

        Assert.Equal(12, counts.Finished);
        Assert.Equal(15, counts.Total);
    }

    [Fact]
    public void Default_IsAllZero()
    {
        TrialCounts counts = default;

        Assert.Equal(0, counts.Total);
        Assert.Equal(0, counts.Finished);
    }

    [Theory]
    [InlineData(TrialState.Waiting, 1, 0, 0, 0, 0)]
    [InlineData(TrialState.Running, 0, 1, 0, 0, 0)]
    [InlineData(TrialState.Complete, 0, 0, 1, 0, 0)]
    [InlineData(TrialState.Pruned, 0, 0, 0, 1, 0)]
    [InlineData(TrialState.Failed, 0, 0, 0, 0, 1)]
    public void Add_OneState_IncrementsOnlyThatCount(TrialState state, int waiting, int running, int complete, int pruned, int failed)
    {
        TrialCounts counts = default(TrialCounts).Add(state);

        Assert.Equal(new TrialCounts(waiting, running, complete, pruned, failed), counts);
    }

    [Fact]
    public void Add_NegativeDelta_MovesATrialBetweenStates()
    {
        var counts = new TrialCounts(0, 2, 0, 0, 0);

        TrialCounts moved = counts.Add(TrialState.Running, -1).Add(TrialState.Complete);

        Assert.Equal(new TrialCounts(0, 1, 1, 0, 0), moved);
        Assert.Equal(counts.Total, moved.Total);
        Assert.Equal(new TrialCounts(0, 2, 0, 0, 0), counts);
    }

    [Fact]
    public void Add_Delta_AddsThatMany()
    {
        Assert.Equal(7, default(TrialCounts).Add(TrialState.Pruned, 7).Pruned);
    }

    [Fact]
    public void ToString_ListsEveryState()
    {
        Assert.Equal("3 complete, 4 pruned, 5 failed, 2 running, 1 waiting", new TrialCounts(1, 2, 3, 4, 5).ToString());
    }
}
