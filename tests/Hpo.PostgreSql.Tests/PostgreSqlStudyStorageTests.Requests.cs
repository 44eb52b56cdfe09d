using System.Globalization;
using Hpo.PostgreSql.Tests.Support;
using Hpo.Storage;
using Hpo.Trials;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// Calls sent again after a lost acknowledgement (the write committed, the answer never arrived), the finish that starts the next
/// trial, the parameters' reserved version, durability and the migration from schema version 1.
/// </summary>
public sealed partial class PostgreSqlStudyStorageTests
{
    [Fact]
    public async Task CreateStudyAsync_AcknowledgementLost_ReturnsTheFirstStudyAndCreatesOne()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        LoseFirstAcknowledgement(storage, "create");

        StudyRecord study = await storage.CreateStudyAsync(Definition("once"), CancellationToken.None);

        Assert.Equal(2, storage.WritesSeen);
        Assert.Equal(["once"], (await storage.GetStudiesAsync(CancellationToken.None)).Select(s => s.Name));
        Assert.Equal(study.Id, (await storage.GetStudyAsync("once", CancellationToken.None))!.Id);
    }

    [Fact]
    public async Task DeleteStudyAsync_AcknowledgementLost_ReturnsTrueAsTheFirstCallDid()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        await storage.CreateStudyAsync(Definition("gone"), CancellationToken.None);
        LoseFirstAcknowledgement(storage, "delete");

        bool deleted = await storage.DeleteStudyAsync("gone", CancellationToken.None);

        Assert.True(deleted);
        Assert.Equal(2, storage.WritesSeen);
        Assert.Null(await storage.GetStudyAsync("gone", CancellationToken.None));
        Assert.False(await storage.DeleteStudyAsync("gone", CancellationToken.None));
    }

    [Fact]
    public async Task EnqueueTrialAsync_AcknowledgementLost_EnqueuesOneTrial()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        LoseFirstAcknowledgement(storage, "hpo_enqueue");

        TrialRecord t = await storage.EnqueueTrialAsync(study.Id, Params(1.5), CancellationToken.None);

        Assert.Equal(2, storage.WritesSeen);
        TrialRecord only = Assert.Single(await storage.GetTrialsAsync(study.Id, CancellationToken.None));
        Assert.Equal(t.Id, only.Id);
        Assert.Equal(0, only.Number);
        Assert.Equal(1.5, (double)only.Parameters["x"]);
        Assert.Equal(1, (await storage.GetTrialCountsAsync(study.Id, CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task RequestFunctions_SameRequestIdTwice_DoTheWorkOnceAndAnswerAlike()
    {
        string cs = await database.NewSchemaAsync();
        await using (var storage = new PostgreSqlStudyStorage(cs))
        {
            await storage.InitializeAsync();
        }

        string create = $"SELECT id FROM hpo_create_study('twice', '{{}}', NULL, '{Guid.NewGuid()}')";
        object? first = await PostgreSqlTestServer.ScalarAsync(cs, create);
        object? second = await PostgreSqlTestServer.ScalarAsync(cs, create);
        string enqueue = $"SELECT id FROM hpo_enqueue({first}, '{{}}', NULL, '{Guid.NewGuid()}')";
        object? trial1 = await PostgreSqlTestServer.ScalarAsync(cs, enqueue);
        object? trial2 = await PostgreSqlTestServer.ScalarAsync(cs, enqueue);
        string delete = $"SELECT hpo_delete_study('twice', '{Guid.NewGuid()}')";
        object? deleted1 = await PostgreSqlTestServer.ScalarAsync(cs, delete);
        object? deleted2 = await PostgreSqlTestServer.ScalarAsync(cs, delete);

        Assert.IsType<long>(first);
        Assert.Equal(first, second);
        Assert.IsType<long>(trial1);
        Assert.Equal(trial1, trial2);
        Assert.Equal(true, deleted1);
        Assert.Equal(true, deleted2);
        Assert.Equal(0L, await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM hpo_studies"));
        Assert.Equal(3L, await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM hpo_requests"));
    }

    [Fact]
    public async Task CreateStudyAsync_ExistingNameAndLostAcknowledgement_StillThrowsDuplicate()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        await storage.CreateStudyAsync(Definition("taken"), CancellationToken.None);
        storage.AfterWrite = null;

        await Assert.ThrowsAsync<DuplicateStudyException>(() => storage.CreateStudyAsync(Definition("taken"), CancellationToken.None).AsTask());

        Assert.Single(await storage.GetStudiesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task FinishAndStartTrialAsync_RunningTrial_FinishesItAndStartsTheNextInOneCall()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(budget: 2), CancellationToken.None);
        TrialRecord first = await StartAsync(storage, study.Id);
        CountWrites(storage);

        FinishAndStartResult result = await storage.FinishAndStartTrialAsync(first.Id, new TrialFinish(TrialState.Complete, [2.0]), study.Id, "worker-a", CancellationToken.None);
        FinishAndStartResult last = await storage.FinishAndStartTrialAsync(result.Next!.Id, new TrialFinish(TrialState.Complete, [1.0]), study.Id, "worker-a", CancellationToken.None);

        Assert.Equal(TrialState.Complete, result.Finished.State);
        Assert.Equal([2.0], result.Finished.Values);
        Assert.Equal(1, result.Next.Number);
        Assert.Equal(TrialState.Running, result.Next.State);
        Assert.Equal("worker-a", result.Next.Owner);
        Assert.Null(last.Next);
        Assert.Equal(2, storage.WritesSeen); // one call each: no separate start
        TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, CancellationToken.None);
        Assert.Equal(2, counts.Complete);
        Assert.Equal(0, counts.Running);
    }

    [Fact]
    public async Task FinishAndStartTrialAsync_AcknowledgementLost_RecordsOnceAndReturnsTheTrialTheFirstCallStarted()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord first = await StartAsync(storage, study.Id);
        LoseFirstAcknowledgement(storage, "finish-and-start");

        FinishAndStartResult result = await storage.FinishAndStartTrialAsync(first.Id, new TrialFinish(TrialState.Complete, [2.0]), study.Id, "worker-a", CancellationToken.None);

        Assert.Equal(TrialState.Complete, result.Finished.State);
        Assert.Equal(1, result.Next!.Number);
        IReadOnlyList<TrialRecord> all = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
        Assert.Equal([0, 1], all.Select(t => t.Number));
        Assert.Equal(1, (await storage.GetTrialCountsAsync(study.Id, CancellationToken.None)).Running);
    }

    [Fact]
    public async Task FinishAndStartTrialAsync_FinishedTrial_ThrowsAndStartsNothing()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord first = await StartAsync(storage, study.Id);
        await storage.FinishTrialAsync(first.Id, new TrialFinish(TrialState.Complete, [1.0]), CancellationToken.None);

        await Assert.ThrowsAsync<TrialAlreadyFinishedException>(() => storage.FinishAndStartTrialAsync(first.Id, new TrialFinish(TrialState.Complete, [2.0]), study.Id, "worker-a", CancellationToken.None).AsTask());

        Assert.Single(await storage.GetTrialsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task GetTrialsAsync_ParametersUnderAReservedVersion_AreSeenByTheNextIncrementalRead()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord a = await StartAsync(storage, study.Id, "worker-a");
        await storage.SetTrialParametersAsync(a.Id, Params(1), CancellationToken.None);
        TrialRecord b = await StartAsync(storage, study.Id, "worker-b");
        await storage.SetTrialParametersAsync(b.Id, Params(2), CancellationToken.None);

        // a's finish starts a's next trial with a reservation; b then finishes (a later version) before the parameters arrive.
        FinishAndStartResult next = await storage.FinishAndStartTrialAsync(a.Id, new TrialFinish(TrialState.Complete, [1.0]), study.Id, "worker-a", CancellationToken.None);
        long v1 = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;
        await storage.FinishTrialAsync(b.Id, new TrialFinish(TrialState.Complete, [4.0]), CancellationToken.None);
        TrialChanges before = await storage.GetTrialsAsync(study.Id, v1, CancellationToken.None);
        await storage.SetTrialParametersAsync(next.Next!.Id, Params(3), CancellationToken.None);
        TrialChanges after = await storage.GetTrialsAsync(study.Id, before.Version, CancellationToken.None);
        TrialChanges none = await storage.GetTrialsAsync(study.Id, after.Version, CancellationToken.None);

        Assert.Contains(before.Trials, t => t.Number == b.Number && t.State == TrialState.Complete);
        TrialRecord withParameters = Assert.Single(after.Trials, t => t.Number == next.Next.Number);
        Assert.Equal(3.0, (double)withParameters.Parameters["x"]);
        Assert.True(after.Version > before.Version);
        Assert.Empty(none.Trials);
        Assert.Equal(after.Version, none.Version);
    }

    [Fact]
    public async Task Durability_DefaultAndUrlOption_FullUnlessGroupedIsAsked()
    {
        await using var byDefault = new PostgreSqlStudyStorage("postgresql://hpo@localhost/db");
        await using var grouped = new PostgreSqlStudyStorage("postgresql://hpo@localhost/db?sslmode=disable&durability=grouped");

        Assert.Equal(PostgreSqlDurability.Full, new PostgreSqlStudyStorageOptions().Durability);
        Assert.Equal(PostgreSqlDurability.Full, byDefault.Durability);
        Assert.Equal(PostgreSqlDurability.Grouped, grouped.Durability);
        Assert.Throws<ArgumentException>(() => new PostgreSqlStudyStorage("postgresql://hpo@localhost/db?durability=sometimes"));
    }

    [Theory]
    [InlineData(PostgreSqlDurability.Full)]
    [InlineData(PostgreSqlDurability.Grouped)]
    public async Task FinishAndStartTrialAsync_ManyWorkersAtOnce_RunTheBudgetOnceWithRequestsDoneInGroups(PostgreSqlDurability durability)
    {
        string cs = await database.NewSchemaAsync();
        await using var storage = new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = cs, Durability = durability });
        StudyRecord study = await storage.CreateStudyAsync(Definition(budget: 40), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            string owner = "worker-" + w.ToString(CultureInfo.InvariantCulture);
            TrialRecord? t = await storage.StartTrialAsync(study.Id, owner, CancellationToken.None);
            while (t is not null)
            {
                await storage.SetTrialParametersAsync(t.Id, Params((t.Number / 4.0) - 5), CancellationToken.None);
                t = (await storage.FinishAndStartTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [t.Number]), study.Id, owner, CancellationToken.None)).Next;
            }
        })));

        IReadOnlyList<TrialRecord> all = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 40), all.Select(t => t.Number));
        Assert.All(all, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.All(all, t => Assert.Equal((double)t.Number, t.Values[0]));
        Assert.All(all, t => Assert.Equal((t.Number / 4.0) - 5, (double)t.Parameters["x"]));
        TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, CancellationToken.None);
        Assert.Equal(40, counts.Complete);
        Assert.Equal(0, counts.Running);
        Assert.Equal(0L, await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM hpo_pending WHERE NOT done"));

        // A request's row goes when its worker finishes the trial it started: what is left is each worker's last request at most.
        long kept = Convert.ToInt64(await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM hpo_pending"), CultureInfo.InvariantCulture);
        Assert.InRange(kept, 0L, 4L);

        // Waiters take the study's lock in shared mode at session level, for an instant: no idle session may still hold one (an idle
        // session has no transaction, so any advisory lock it holds is a session-level lock left behind).
        Assert.Equal(0L, await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.state = 'idle'"));
    }

    [Fact]
    public async Task FinishAndStartTrialAsync_ConnectionsKilledWhileWorkersRun_EveryTrialIsRecordedOnceAndNoLockIsLeft()
    {
        // The grouped finish-and-start under connections terminated again and again: leaders die mid-group (their transaction rolls
        // back), waiters die holding the shared lock (their session goes with it), answers are lost after commits. Every worker
        // sends its call again and carries on; the study ends exact and nothing is left locked or open.
        string cs = await database.NewSchemaAsync();
        PostgreSqlStudyStorage[] pools = [new PostgreSqlStudyStorage(cs), new PostgreSqlStudyStorage(cs)];
        try
        {
            const int Budget = 120;
            StudyRecord study = await pools[0].CreateStudyAsync(Definition(budget: Budget, lease: TimeSpan.FromMinutes(5)), CancellationToken.None);
            using var stop = new CancellationTokenSource();
            Task<int> killer = TerminateConnectionsAsync(TimeSpan.FromMilliseconds(25), stop.Token);

            int[] finished = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                IStudyStorage s = pools[w % 2];
                string owner = "w" + w.ToString(CultureInfo.InvariantCulture);
                int mine = 0;
                TrialRecord? t = await s.StartTrialAsync(study.Id, owner, CancellationToken.None);
                while (t is not null)
                {
                    await s.SetTrialParametersAsync(t.Id, Params((t.Number / 16.0) - 4), CancellationToken.None);
                    await s.ReportIntermediateValueAsync(t.Id, 0, t.Number, CancellationToken.None);
                    t = (await s.FinishAndStartTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [t.Number]), study.Id, owner, CancellationToken.None)).Next;
                    mine++;
                }

                return mine;
            })));
            await stop.CancelAsync();
            int killed = await killer;

            Assert.True(killed > 0, "No connection was terminated.");
            Assert.Equal(Budget, finished.Sum());
            IReadOnlyList<TrialRecord> trials = await pools[1].GetTrialsAsync(study.Id, CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, Budget), trials.Select(t => t.Number));
            Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
            Assert.All(trials, t => Assert.Equal((double)t.Number, t.Value));
            Assert.All(trials, t => Assert.Equal((t.Number / 16.0) - 4, (double)t.Parameters["x"]));
            Assert.All(trials, t => Assert.Equal((double)t.Number, t.IntermediateValues[0]));
            Assert.Equal(new TrialCounts(0, 0, Budget, 0, 0), await pools[0].GetTrialCountsAsync(study.Id, CancellationToken.None));
            Assert.Equal(0L, await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM hpo_pending WHERE NOT done"));
            Assert.Equal(0L, await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.state = 'idle'"));
        }
        finally
        {
            foreach (PostgreSqlStudyStorage s in pools)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ProcessPending_WaitForTheLeaderCancelled_LeavesNoLockAndTheRequestIsDoneLater()
    {
        string cs = await database.NewSchemaAsync();
        await using var storage = new PostgreSqlStudyStorage(cs);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);
        await storage.SetTrialParametersAsync(t.Id, Params(1), CancellationToken.None);
        var request = Guid.NewGuid();

        // Another worker leads: it holds the study's lock in a transaction that does not end while this worker waits.
        await using var leader = new NpgsqlConnection(cs);
        await leader.OpenAsync();
        await using NpgsqlTransaction leading = await leader.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgreSqlSchema.StudyLockKeyBase + study.Id})", leader, leading))
        {
            await take.ExecuteNonQueryAsync();
        }

        await using var waiter = new NpgsqlConnection(cs);
        await waiter.OpenAsync();
        await using (var record = new NpgsqlCommand("SELECT hpo_request_finish_and_start(@r, @s, @id, 2::smallint, ARRAY[1.5], NULL, NULL, NULL, 'worker-a', interval '30 seconds', NULL, true, false)", waiter))
        {
            record.Parameters.AddWithValue("r", request);
            record.Parameters.AddWithValue("s", study.Id);
            record.Parameters.AddWithValue("id", t.Id);
            await record.ExecuteNonQueryAsync();
        }

        await using var process = new NpgsqlCommand("SELECT status, id FROM hpo_process_pending(@s, @r, false)", waiter);
        process.Parameters.AddWithValue("s", study.Id);
        process.Parameters.AddWithValue("r", request);
        await using (var timeout = new NpgsqlCommand("SET statement_timeout = 300", waiter))
        {
            await timeout.ExecuteNonQueryAsync();
        }

        PostgresException cancelled = await Assert.ThrowsAsync<PostgresException>(() => process.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.QueryCanceled, cancelled.SqlState);
        await using (var held = new NpgsqlCommand("SELECT COUNT(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory'", waiter))
        {
            Assert.Equal(0L, await held.ExecuteScalarAsync());
        }

        // The leader goes; sent again, the request is done, and the trial is finished once.
        await leading.RollbackAsync();
        await using (var reset = new NpgsqlCommand("RESET statement_timeout", waiter))
        {
            await reset.ExecuteNonQueryAsync();
        }

        var rows = new List<(int Status, long? Id)>();
        await using (NpgsqlDataReader r = await process.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                rows.Add((r.GetInt32(0), r.IsDBNull(1) ? null : r.GetInt64(1)));
            }
        }

        Assert.Equal((0, (long?)t.Id), rows[0]);
        Assert.Equal(0, rows[1].Status);
        TrialRecord done = await GetTrialAsync(storage, study.Id, t.Number);
        Assert.Equal(TrialState.Complete, done.State);
        Assert.Equal([1.5], done.Values);
    }

    [Fact]
    public async Task FinishAndStartTrialAsync_LeaseExpiresJustAfterALook_TrialIsStaleAtMostAnEighthOfTheLeaseLater()
    {
        // The finish-and-start looks for expired leases at most every eighth of the lease (the look walks an index that grows
        // between vacuums), so that a lost worker's trial becomes stale no later than an eighth of the lease after it expired.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var storage = (PostgreSqlStudyStorage)CreateStorage(clock);
        TimeSpan lease = TimeSpan.FromSeconds(8);
        StudyRecord study = await storage.CreateStudyAsync(Definition(lease: lease), CancellationToken.None);
        TrialRecord lost = await StartAsync(storage, study.Id, "lost");
        TrialRecord t = await StartAsync(storage, study.Id, "worker-a");

        async Task<TrialState> FinishAndStartAsync(TimeSpan advance)
        {
            clock.Advance(advance);
            await storage.RenewHeartbeatsAsync(study.Id, "worker-a", CancellationToken.None);
            await storage.SetTrialParametersAsync(t.Id, Params(1), CancellationToken.None);
            t = (await storage.FinishAndStartTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [1.0]), study.Id, "worker-a", CancellationToken.None)).Next!;
            return (await GetTrialAsync(storage, study.Id, lost.Number)).State;
        }

        Assert.Equal(TrialState.Running, await FinishAndStartAsync(lease - TimeSpan.FromMilliseconds(1))); // looked: nothing expired
        Assert.Equal(TrialState.Running, await FinishAndStartAsync(TimeSpan.FromMilliseconds(2)));          // expired, not looked again yet
        Assert.Equal(TrialState.Stale, await FinishAndStartAsync(lease / 8));

        TrialRecord stale = await GetTrialAsync(storage, study.Id, lost.Number);
        Assert.Equal(lost.Heartbeat!.Value + lease + (lease / 8) + TimeSpan.FromMilliseconds(1), stale.FinishedAt);
    }

    [Fact]
    public async Task InitializeAsync_SchemaCreatedByAnotherWriter_KeepsTheStudiesAndNumbering()
    {
        string cs = await database.NewSchemaAsync();
        await PostgreSqlTestServer.ExecuteAsync(cs, "CREATE TABLE hpo_schema (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        await PostgreSqlTestServer.ExecuteAsync(cs, PostgreSqlSchema.Migrations[0] + "; INSERT INTO hpo_schema (version) VALUES (1)");
        await PostgreSqlTestServer.ExecuteAsync(cs, $"INSERT INTO hpo_studies (name, definition, created_at) VALUES ('old', '{Definition("old").ToJson().Replace("'", "''", StringComparison.Ordinal)}', now())");
        await using var storage = new PostgreSqlStudyStorage(cs);

        StudyRecord old = (await storage.GetStudyAsync("old", CancellationToken.None))!;
        TrialRecord t = await StartAsync(storage, old.Id);
        FinishAndStartResult r = await storage.FinishAndStartTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [1.0]), old.Id, "worker-a", CancellationToken.None);

        Assert.Equal(PostgreSqlStudyStorage.SchemaVersion, Convert.ToInt32(await PostgreSqlTestServer.ScalarAsync(cs, "SELECT MAX(version) FROM hpo_schema"), CultureInfo.InvariantCulture));
        Assert.Equal(1, r.Next!.Number);
    }

    /// <summary>Makes the first write whose statement contains <paramref name="marker"/> lose its answer after committing.</summary>
    private static void LoseFirstAcknowledgement(PostgreSqlStudyStorage storage, string marker)
    {
        int lost = 0;
        storage.WritesSeen = 0;
        storage.AfterWrite = sql =>
        {
            storage.WritesSeen++;
            if (sql.Contains(marker, StringComparison.Ordinal) && Interlocked.Exchange(ref lost, 1) == 0)
            {
                throw new NpgsqlException("Simulated: the connection dropped after the commit, before the answer.", new IOException("connection reset"));
            }
        };
    }

    private static void CountWrites(PostgreSqlStudyStorage storage)
    {
        storage.WritesSeen = 0;
        storage.AfterWrite = _ => storage.WritesSeen++;
    }
}
