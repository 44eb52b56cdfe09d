using Hpo.Objectives;
using Hpo.Storage.InMemory;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Testing;
using Hpo.Tests.Execution;
using Hpo.Tests.Storage;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Tuners.RandomSearch;

/// <summary>
/// The random tuner under real concurrency (see <see cref="DiscreteSpaceScenario"/>): on a discrete space of K points, K trials run
/// by several workers try every point exactly once. The PostgreSQL counterpart is in Hpo.PostgreSql.Tests.
/// </summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class RandomSearchTunerConcurrencyTests
{
    [Fact]
    public async Task OptimizeAsync_FourStudyObjectsWithConcurrentTrialsOnOneInMemoryStorage_TryEveryPointOnce()
    {
        await using var storage = new InMemoryStudyStorage();
        await Study.CreateAsync(storage, "discrete", DiscreteSpaceScenario.Space, new StudyOptions { Seed = 17, Budget = DiscreteSpaceScenario.Points });
        Study[] workers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Study.LoadAsync(storage, "discrete", new SlowRandomSearchTuner())));

        // Four workers (each its own Study, as separate processes have), each running two trials at a time on the thread pool, with
        // proposals that take a little time (as a real tuner's do), so that they overlap.
        OptimizeResult[] runs = await Task.WhenAll(workers.Select(w => Task.Run(() => w.OptimizeAsync(
            async (ITrial trial, CancellationToken ct) =>
            {
                await Task.Delay(1 + (trial.Number % 3), ct);
                return (ObjectiveResult)trial.Get<long>("a");
            },
            new OptimizeOptions { Concurrency = 2 }))));

        Assert.Equal(DiscreteSpaceScenario.Points, runs.Sum(r => r.TrialsRun));
        DiscreteSpaceScenario.AssertEveryPointOnce(await storage.GetTrialsAsync(workers[0].Record.Id, CancellationToken.None));
    }

    [Fact]
    public async Task OptimizeAsync_FourProcessesOnOneSqliteFile_TryEveryPointOnce()
    {
        using var db = new TempDatabase();
        await using var storage = new SqliteStudyStorage(db.Path);
        try
        {
            IReadOnlyList<TrialRecord> trials = await DiscreteSpaceScenario.RunWorkersAsync(db.Url, storage, processes: 4);

            DiscreteSpaceScenario.AssertEveryPointOnce(trials);
        }
        finally
        {
            await storage.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>The random tuner, taking two milliseconds to propose.</summary>
    private sealed class SlowRandomSearchTuner : TunerBase
    {
        private readonly RandomSearchTuner inner = new();

        public override string Name => inner.Name;

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context)
        {
            Thread.Sleep(2);
            return inner.Propose(context);
        }
    }
}
