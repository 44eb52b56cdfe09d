using Hpo.Trials;

namespace Hpo.Tests.Trials;

public class TrialRecordTests
{
    private static TrialRecord Record(TrialState state) => new()
    {
        Id = 1,
        Number = 0,
        State = state,
        Parameters = new Dictionary<string, object>(),
    };

    [Fact]
    public void Value_NoValues_IsNull()
    {
        TrialRecord record = Record(TrialState.Running);

        Assert.Null(record.Value);
        Assert.Empty(record.Values);
        Assert.Empty(record.IntermediateValues);
        Assert.Empty(record.UserAttributes);
        Assert.Empty(record.SystemAttributes);
    }

    [Fact]
    public void Value_SeveralValues_IsTheFirst()
    {
        TrialRecord record = Record(TrialState.Complete) with { Values = [0.25, 9] };

        Assert.Equal(0.25, record.Value);
    }

    [Fact]
    public void Duration_StartedAndFinished_IsTheDifference()
    {
        var start = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        TrialRecord record = Record(TrialState.Complete) with { StartedAt = start, FinishedAt = start.AddSeconds(90) };

        Assert.Equal(TimeSpan.FromSeconds(90), record.Duration);
        Assert.Null((record with { FinishedAt = null }).Duration);
        Assert.Null((record with { StartedAt = null }).Duration);
    }

    [Theory]
    [InlineData(TrialState.Waiting, false)]
    [InlineData(TrialState.Running, false)]
    [InlineData(TrialState.Complete, true)]
    [InlineData(TrialState.Pruned, true)]
    [InlineData(TrialState.Failed, true)]
    public void IsFinished_FollowsTheState(TrialState state, bool expected)
    {
        Assert.Equal(expected, Record(state).IsFinished);
    }

    [Fact]
    public void UserAttributes_AreCaseSensitive()
    {
        TrialRecord record = Record(TrialState.Running);

        TrialRecord changed = record with { UserAttributes = record.UserAttributes.SetItem("Key", "a").SetItem("key", "b") };

        Assert.Equal(2, changed.UserAttributes.Count);
        Assert.Empty(record.UserAttributes);
    }
}
