using Hpo.Trials;

namespace Hpo.Tests.Trials;

public class TrialStateExtensionsTests
{
    [Theory]
    [InlineData(TrialState.Waiting, false)]
    [InlineData(TrialState.Running, false)]
    [InlineData(TrialState.Complete, true)]
    [InlineData(TrialState.Pruned, true)]
    [InlineData(TrialState.Failed, true)]
    public void IsFinished_EachState_IsTrueOnlyForFinalStates(TrialState state, bool expected)
    {
        Assert.Equal(expected, state.IsFinished());
    }

    [Fact]
    public void IsFinished_UndefinedValue_IsFalse()
    {
        Assert.False(((TrialState)42).IsFinished());
    }

    [Fact]
    public void TrialState_Values_AreStable()
    {
        // Storages persist the numeric value of the state.
        Assert.Equal([0, 1, 2, 3, 4], Enum.GetValues<TrialState>().Select(s => (int)s));
    }
}
