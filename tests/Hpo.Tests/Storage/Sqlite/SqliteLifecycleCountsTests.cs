using System.Collections.Immutable;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.Providers;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tests.Storage.Sqlite;

/// <summary>
/// The state counters the SQLite lifecycle store caches inside one write transaction agree with the rows, on a file that another
/// storage (another connection) writes too: whether the rules read the counters before a write, after it, or never, and when the
/// transaction fails after the cache moved.
/// </summary>
public sealed class SqliteLifecycleCountsTests : IDisposable
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", -5, 5).Build();

    private readonly TempDatabases databases = new();

    public void Dispose() => databases.Dispose();

    [Fact]
    public async Task InsertTrial_CountersNeverReadBefore_CachedCountsMatchTheRows()
    {
        (SqliteStudyStorage writer, SqliteStudyStorage rules, StudyRecord study) = await TwoStoragesAsync();
        await using (writer)
        await using (rules)
        {
            // The first thing the rules do is insert: the counters are read only afterwards, from a row the insert already bumped.
            TrialCounts cached = await rules.RunRules(study, store =>
            {
                store.InsertTrial(TrialLifecycle.NewTrial(TrialState.Waiting, ImmutableDictionary<string, object>.Empty, owner: null, DateTimeOffset.UtcNow));
                return store.Counts;
            }, CancellationToken.None);

            Assert.Equal(await RowCountsAsync(writer, study), cached);
            Assert.Equal(await writer.GetTrialCountsAsync(study.Id, CancellationToken.None), cached);
            Assert.Equal(2, cached.Waiting); // the one the setup enqueued and this one
        }
    }

    [Fact]
    public async Task InsertAndUpdate_CountersReadFirst_CachedCountsFollowEveryWrite()
    {
        (SqliteStudyStorage writer, SqliteStudyStorage rules, StudyRecord study) = await TwoStoragesAsync();
        await using (writer)
        await using (rules)
        {
            TrialCounts cached = await rules.RunRules(study, store =>
            {
                _ = store.Counts;
                TrialRecord running = store.InsertTrial(TrialLifecycle.NewTrial(TrialState.Running, ImmutableDictionary<string, object>.Empty, "w", DateTimeOffset.UtcNow));
                store.UpdateTrial(running, TrialLifecycle.Stale(running, "lost", DateTimeOffset.UtcNow));
                store.InsertTrial(TrialLifecycle.NewTrial(TrialState.Waiting, ImmutableDictionary<string, object>.Empty, owner: null, DateTimeOffset.UtcNow));
                return store.Counts;
            }, CancellationToken.None);

            Assert.Equal(await RowCountsAsync(writer, study), cached);
            Assert.Equal(await writer.GetTrialCountsAsync(study.Id, CancellationToken.None), cached);
        }
    }

    [Fact]
    public async Task RulesThrowAfterTheCacheMoved_TransactionRolledBackAndTheNextOneCountsTheRows()
    {
        (SqliteStudyStorage writer, SqliteStudyStorage rules, StudyRecord study) = await TwoStoragesAsync();
        await using (writer)
        await using (rules)
        {
            TrialCounts before = await writer.GetTrialCountsAsync(study.Id, CancellationToken.None);
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await rules.RunRules<int>(study, store =>
            {
                _ = store.Counts;
                store.InsertTrial(TrialLifecycle.NewTrial(TrialState.Waiting, ImmutableDictionary<string, object>.Empty, owner: null, DateTimeOffset.UtcNow));
                throw new InvalidOperationException("The rules fail after the insert.");
            }, CancellationToken.None));

            Assert.Equal(before, await writer.GetTrialCountsAsync(study.Id, CancellationToken.None));
            Assert.Equal(before, await RowCountsAsync(writer, study));

            // The storage that failed starts from the rows again: its next start sees the same counters as the rows.
            TrialRecord? started = await rules.StartTrialAsync(study.Id, "w2", CancellationToken.None);
            Assert.NotNull(started);
            Assert.Equal(await RowCountsAsync(writer, study), await rules.GetTrialCountsAsync(study.Id, CancellationToken.None));
        }
    }

    /// <summary>Two storages (two connection pools) on one file, with a study that the first has filled with trials in several states.</summary>
    private async Task<(SqliteStudyStorage Writer, SqliteStudyStorage Rules, StudyRecord Study)> TwoStoragesAsync()
    {
        TempDatabase db = databases.New();
        var writer = new SqliteStudyStorage(db.Path);
        var rules = new SqliteStudyStorage(db.Path);
        Study created = await Study.CreateAsync(writer, "counts", Space, new StudyOptions { Seed = 1 });
        long id = created.Record.Id;
        for (int i = 0; i < 3; i++)
        {
            TrialRecord t = (await writer.StartTrialAsync(id, "w1", CancellationToken.None))!;
            if (i < 2)
            {
                await writer.FinishTrialAsync(t.Id, i == 0 ? new TrialFinish(TrialState.Complete, [i]) : new TrialFinish(TrialState.Failed, [], "boom"), CancellationToken.None);
            }
        }

        await writer.EnqueueTrialAsync(id, new Dictionary<string, object> { ["x"] = 1.0 }, CancellationToken.None);
        StudyRecord study = (await rules.GetStudyAsync("counts", CancellationToken.None))!;
        return (writer, rules, study);
    }

    /// <summary>The counters as the trial rows say, not as the study row's counters say.</summary>
    private static async Task<TrialCounts> RowCountsAsync(IStudyStorage storage, StudyRecord study)
    {
        TrialCounts counts = default;
        foreach (TrialRecord t in await storage.GetTrialsAsync(study.Id, CancellationToken.None))
        {
            counts = counts.Add(t.State);
        }

        return counts;
    }
}
