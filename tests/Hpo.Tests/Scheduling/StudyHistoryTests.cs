using System.Collections.Immutable;
using Hpo.Scheduling;
using Hpo.Storage.InMemory;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tests.Scheduling;

public class StudyHistoryTests
{
    [Fact]
    public void Trials_SnapshotTakenBeforeAChange_KeepsTheOldRecord()
    {
        var history = new StudyHistory(StudyDirection.Minimize);
        history.Apply(Record(0, TrialState.Running));
        IReadOnlyList<TrialRecord> before = history.Trials;

        history.Apply(Record(0, TrialState.Complete, 1.5));

        Assert.Equal(TrialState.Running, before[0].State);
        Assert.Equal(TrialState.Running, Assert.Single(before).State);
        Assert.Equal(TrialState.Complete, history.Trials[0].State);
    }

    [Fact]
    public void Apply_UnfinishedAfterFinished_KeepsTheFinishedRecord()
    {
        var history = new StudyHistory(StudyDirection.Minimize);
        TrialRecord done = Record(0, TrialState.Complete, 2.0);
        history.Apply(done);

        history.Apply(Record(0, TrialState.Running));

        Assert.Same(done, history.Trials[0]);
        Assert.Equal(1, history.Summary.Counts.Complete);
        Assert.Equal(0, history.Summary.Counts.Running);
    }

    [Fact]
    public void Apply_NumberBeyondTheEnd_FillsPlaceholdersUntilTheyArrive()
    {
        var history = new StudyHistory(StudyDirection.Minimize);

        history.Apply(Record(2, TrialState.Complete, 3.0));

        IReadOnlyList<TrialRecord> trials = history.Trials;
        Assert.Equal([0, 1, 2], trials.Select(t => t.Number));
        Assert.Equal([-1L, -1L], trials.Take(2).Select(t => t.Id));
        Assert.Equal(2, history.Summary.Counts.Running);

        history.Apply(Record(0, TrialState.Failed));
        history.Apply(Record(1, TrialState.Complete, 1.0));

        Assert.Equal(new TrialCounts(0, 0, 2, 0, 1), history.Summary.Counts);
        Assert.Equal(1, history.Summary.Best!.Number);
        Assert.Equal(-1L, trials[1].Id);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Trials_RandomChangesAcrossGrowth_EverySnapshotMatchesTheModelOfItsTime(int seed)
    {
        var random = new Random(seed);
        var history = new StudyHistory(StudyDirection.Maximize);
        var model = new List<TrialRecord>();
        var snapshots = new List<(IReadOnlyList<TrialRecord> Snapshot, TrialRecord[] Expected)>();
        for (int step = 0; step < 400; step++)
        {
            int unfinished = model.Count(t => !t.IsFinished);
            if (model.Count == 0 || random.Next(3) == 0 || unfinished == 0)
            {
                TrialRecord t = Record(model.Count, random.Next(4) == 0 ? TrialState.Waiting : TrialState.Running);
                model.Add(t);
                history.Apply(t);
            }
            else
            {
                TrialRecord old = model.Where(t => !t.IsFinished).ElementAt(random.Next(unfinished));
                TrialRecord updated = random.Next(3) switch
                {
                    0 => old with { State = TrialState.Running, Owner = "w" + step },
                    1 => old with { State = TrialState.Complete, Values = [random.NextDouble()] },
                    _ => old with { State = TrialState.Failed },
                };
                model[old.Number] = updated;
                history.Apply(updated);
            }

            if (random.Next(4) == 0)
            {
                snapshots.Add((history.Trials, [.. model]));
            }
        }

        foreach ((IReadOnlyList<TrialRecord> snapshot, TrialRecord[] expected) in snapshots)
        {
            Assert.Equal(expected.Length, snapshot.Count);
            Assert.Equal(expected, snapshot);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Same(expected[i], snapshot[i]);
            }
        }

        TrialCounts counts = history.Summary.Counts;
        Assert.Equal(model.Count(t => t.State == TrialState.Complete), counts.Complete);
        Assert.Equal(model.Count(t => t.State == TrialState.Running), counts.Running);
        Assert.Equal(model.Count(t => t.State == TrialState.Waiting), counts.Waiting);
        Assert.Equal(model.Where(t => t.State == TrialState.Complete).MaxBy(t => t.Value)?.Number, history.Summary.Best?.Number);
    }

    [Fact]
    public void Trials_IndexOutOfRange_Throws()
    {
        var history = new StudyHistory(StudyDirection.Minimize);
        history.Apply(Record(0, TrialState.Running));

        Assert.Throws<ArgumentOutOfRangeException>(() => history.Trials[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => history.Trials[-1]);
    }

    [Fact]
    public async Task SyncAsync_AfterChangesInTheStorage_BringsOnlyThoseAndTheVersion()
    {
        await using var storage = new InMemoryStudyStorage();
        StudyRecord study = await storage.CreateStudyAsync(
            new StudyDefinition
            {
                Name = "sync",
                SearchSpace = new Hpo.SearchSpaces.SearchSpaceBuilder().AddFloat("x", 0, 1).Build(),
                Directions = [StudyDirection.Minimize],
                TunerName = "random",
                Seed = 1,
            },
            CancellationToken.None);
        var history = new StudyHistory(StudyDirection.Minimize);
        TrialRecord a = (await storage.StartTrialAsync(study.Id, "w", CancellationToken.None))!;
        IReadOnlyList<TrialRecord> first = await history.SyncAsync(storage, study.Id, CancellationToken.None);
        await storage.FinishTrialAsync(a.Id, new TrialFinish(TrialState.Complete, [0.25]), CancellationToken.None);
        _ = await storage.StartTrialAsync(study.Id, "w", CancellationToken.None);

        IReadOnlyList<TrialRecord> second = await history.SyncAsync(storage, study.Id, CancellationToken.None);

        Assert.Equal(TrialState.Running, Assert.Single(first).State);
        Assert.Equal([TrialState.Complete, TrialState.Running], second.Select(t => t.State));
        Assert.Equal(0.25, history.Summary.Best!.Value);
        Assert.True(history.Version >= 3);
    }

    private static TrialRecord Record(int number, TrialState state, double? value = null) => new()
    {
        Id = number + 1,
        Number = number,
        State = state,
        Parameters = ImmutableDictionary<string, object>.Empty,
        Values = value is double v ? [v] : [],
    };
}
