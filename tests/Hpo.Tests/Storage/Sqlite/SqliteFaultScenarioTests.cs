using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Testing;
using Hpo.Tests.Execution;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Storage.Sqlite;

/// <summary>
/// The fault scenario (see <see cref="FaultScenario"/>) on one SQLite file: worker processes on a study with a budget, two of them
/// killed with SIGKILL in the middle of trials, another connection holding the write lock for seconds while the others run (SQLite's
/// counterpart of a database restart: no worker can write), a worker joining late.
/// </summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class SqliteFaultScenarioTests
{
    private static readonly TimeSpan LockHeld = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task OptimizeAsync_WorkersKilledAndWriteLockHeld_BudgetExactKilledTrialsStaleAndRetriedNothingLost()
    {
        using var db = new TempDatabase();
        await using var storage = new SqliteStudyStorage(db.Path);
        try
        {
            // A budget with room: the write lock must find trials running, after the two killed workers and the start-up of three more.
            var scenario = new FaultScenario { Url = db.Url, Storage = storage, Budget = 90, DisruptAsync = () => HoldWriteLockAsync(db, storage) };

            await scenario.RunAsync();
        }
        finally
        {
            await storage.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>Takes the file's write lock from another connection for <see cref="LockHeld"/>; no trial may finish meanwhile.</summary>
    private static async Task HoldWriteLockAsync(TempDatabase db, SqliteStudyStorage storage)
    {
        long studyId = (await storage.GetStudyAsync("faults", CancellationToken.None))!.Id;
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db.Path, Pooling = false, DefaultTimeout = 60 }.ToString());
        await conn.OpenAsync();
        await using (SqliteCommand begin = conn.CreateCommand())
        {
            begin.CommandText = "PRAGMA busy_timeout = 60000; BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }

        TrialCounts before = await storage.GetTrialCountsAsync(studyId, CancellationToken.None);
        await Task.Delay(LockHeld);
        TrialCounts during = await storage.GetTrialCountsAsync(studyId, CancellationToken.None);
        await using (SqliteCommand rollback = conn.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        // The workers were really shut out: nothing was written while the lock was held (readers still see the file).
        Assert.Equal(before, during);
        Assert.True(before.Running > 0, $"No trial was running while the lock was held: {before}.");
    }
}
