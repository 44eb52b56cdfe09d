using Hpo.Cli.Commands;
using Hpo.Cli.Formatting;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Cli.Tests.Commands;

public sealed class StudyFieldsTests
{
    private static readonly StudyRecord Record = new(
        3,
        new StudyDefinition { Name = "s", SearchSpace = DemoDatabase.Space, Directions = [StudyDirection.Maximize], TunerName = "random", Seed = 1, Budget = 9 },
        DateTimeOffset.UnixEpoch);

    [Fact]
    public void Counts_NameEveryTrialState()
    {
        // A tripwire: a new state (such as stale) must be added to StudyFields.Counts, or status and studies would hide it.
        Assert.Equal(Enum.GetValues<TrialState>().Select(StudyFields.State), StudyFields.Counts(default).Select(f => f.Name));
    }

    [Fact]
    public void Counts_TakeEachCountFromItsState()
    {
        Assert.Equal([1, 2, 3, 4, 5], StudyFields.Counts(new TrialCounts(1, 2, 3, 4, 5)).Select(f => (int)f.Value!));
    }

    [Fact]
    public void Study_FieldNames_AreTheStudyColumns()
    {
        OutputRecord study = StudyFields.Study(Record, new TrialCounts(0, 0, 1, 0, 0), best: null);

        Assert.Equal(StudyFields.StudyColumns, study.Fields.Select(f => f.Name));
        Assert.Equal("maximize", study["direction"]);
        Assert.Equal(9, study["budget"]);
    }

    [Fact]
    public void Parameters_AreInTheSearchSpacesOrder()
    {
        var trial = new TrialRecord
        {
            Id = 1,
            Number = 0,
            State = TrialState.Complete,
            Parameters = new Dictionary<string, object> { ["beta1"] = 0.9, ["optimizer"] = "adam", ["lr"] = 0.1, ["layers"] = 2L },
        };

        Assert.Equal(["lr", "layers", "optimizer", "beta1"], StudyFields.Parameters(Record, trial).Fields.Select(f => f.Name));
    }

    [Fact]
    public void StateAndDirection_AreLowerCase()
    {
        Assert.Equal("complete", StudyFields.State(TrialState.Complete));
        Assert.Equal("minimize", StudyFields.Direction(StudyDirection.Minimize));
    }
}
