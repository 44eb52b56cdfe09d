using Hpo.PostgreSql.Tests.Support;
using Hpo.Storage;
using Hpo.Storage.Testing;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Hpo.Registries;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The storage conformance suite on a real PostgreSQL server (each storage in a fresh schema of this class's fresh database), plus
/// what only PostgreSQL does: schema versions, several connection pools on one study, many concurrent workers.
/// </summary>
[RequiresPostgreSql]
public sealed partial class PostgreSqlStudyStorageTests(PostgreSqlDatabase database) : StudyStorageConformanceTests, IClassFixture<PostgreSqlDatabase>
{
    protected override IStudyStorage CreateStorage() => new PostgreSqlStudyStorage(database.NewSchema());

    protected override IStudyStorage CreateStorage(TimeProvider timeProvider) =>
        new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = database.NewSchema(), TimeProvider = timeProvider });

    // The storage's own connection string has no password (it is never kept in clear): put the test server's back.
    protected override IStudyStorage? OpenAnotherInstance(IStudyStorage storage) =>
        new PostgreSqlStudyStorage(new NpgsqlConnectionStringBuilder(((PostgreSqlStudyStorage)storage).ConnectionString) { Password = new NpgsqlConnectionStringBuilder(database.ConnectionString).Password }.ConnectionString);

    [Fact]
    public async Task InitializeAsync_FreshSchema_RecordsTheSchemaVersion()
    {
        string cs = await database.NewSchemaAsync();
        await using var storage = new PostgreSqlStudyStorage(cs);

        await storage.InitializeAsync();
        await storage.InitializeAsync();

        Assert.Equal(PostgreSqlStudyStorage.SchemaVersion, Convert.ToInt32(await PostgreSqlTestServer.ScalarAsync(cs, "SELECT MAX(version) FROM hpo_schema"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((long)PostgreSqlStudyStorage.SchemaVersion, await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM hpo_schema")); // each migration once
    }

    [Fact]
    public async Task InitializeAsync_ManyInstancesAtOnce_CreateTheSchemaOnce()
    {
        string cs = await database.NewSchemaAsync();
        PostgreSqlStudyStorage[] instances = [.. Enumerable.Range(0, 8).Select(_ => new PostgreSqlStudyStorage(cs))];
        try
        {
            await Task.WhenAll(instances.Select(s => Task.Run(async () => await s.GetStudiesAsync(CancellationToken.None))));

            Assert.Equal((long)PostgreSqlStudyStorage.SchemaVersion, await PostgreSqlTestServer.ScalarAsync(cs, "SELECT COUNT(*) FROM hpo_schema")); // each migration once
            await instances[3].CreateStudyAsync(Definition("after"), CancellationToken.None);
            Assert.Equal(["after"], (await instances[5].GetStudiesAsync(CancellationToken.None)).Select(s => s.Name));
        }
        finally
        {
            foreach (PostgreSqlStudyStorage s in instances)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task InitializeAsync_SchemaVersionNewerThanSupported_ThrowsStorageException()
    {
        string cs = await database.NewSchemaAsync();
        await using (var storage = new PostgreSqlStudyStorage(cs))
        {
            await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        }

        await PostgreSqlTestServer.ExecuteAsync(cs, $"INSERT INTO hpo_schema (version) VALUES ({PostgreSqlStudyStorage.SchemaVersion + 1})");
        await using var newer = new PostgreSqlStudyStorage(cs);

        StorageException e = await Assert.ThrowsAsync<StorageException>(() => newer.GetStudiesAsync(CancellationToken.None).AsTask());

        Assert.Contains($"schema version {PostgreSqlStudyStorage.SchemaVersion + 1}", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_ReopenedDatabase_KeepsStudiesTrialsAndNumbering()
    {
        string cs = await database.NewSchemaAsync();
        var clock = new FakeTimeProvider(Epoch);
        StudyDefinition definition = RichDefinition("kept");
        IReadOnlyList<TrialRecord> before;
        long version, studyId;
        await using (var storage = new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = cs, TimeProvider = clock }))
        {
            StudyRecord study = await storage.CreateStudyAsync(definition, CancellationToken.None);
            studyId = study.Id;
            var p = definition.SearchSpace.Validate(new Dictionary<string, object> { ["lr"] = 0.01, ["dropout"] = 0.25, ["layers"] = 3L, ["batch"] = 64L, ["optimizer"] = "sgd", ["momentum"] = 0.9, ["flag"] = true });
            TrialRecord complete = await StartAsync(storage, study.Id);
            await storage.SetTrialParametersAsync(complete.Id, p, CancellationToken.None);
            await storage.ReportIntermediateValueAsync(complete.Id, 2, double.NaN, CancellationToken.None);
            await storage.SetTrialUserAttributeAsync(complete.Id, "note", "ünïcode \"quoted\"\n", CancellationToken.None);
            clock.Advance(TimeSpan.FromMilliseconds(1500.25));
            await storage.FinishTrialAsync(complete.Id, new TrialFinish(TrialState.Complete, [0.875]), CancellationToken.None);
            await StartAsync(storage, study.Id);
            await storage.EnqueueTrialAsync(study.Id, p, CancellationToken.None);
            before = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
            version = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;
        }

        await using var reopened = new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = cs, TimeProvider = clock });
        StudyRecord? again = await reopened.GetStudyAsync("kept", CancellationToken.None);
        IReadOnlyList<TrialRecord> after = await reopened.GetTrialsAsync(studyId, CancellationToken.None);

        Assert.NotNull(again);
        AssertSameDefinition(definition, again.Definition);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            AssertSameTrial(before[i], after[i]);
        }

        Assert.Equal(version, (await reopened.GetTrialsAsync(studyId, 0, CancellationToken.None)).Version);
        Assert.True(double.IsNaN(after[0].IntermediateValues[2]));
        Assert.Equal(TimeSpan.FromMilliseconds(1500.25), after[0].Duration);
        Assert.Equal(true, after[0].Parameters["flag"]);
        Assert.Equal(2, (await StartAsync(reopened, studyId)).Number);
        Assert.Equal(3, (await StartAsync(reopened, studyId)).Number);
    }

    [Fact]
    public async Task StartTrialAsync_SeveralConnectionPools_NumbersAreDenseAndUnique()
    {
        string cs = await database.NewSchemaAsync();
        PostgreSqlStudyStorage[] pools = [.. Enumerable.Range(0, 4).Select(_ => new PostgreSqlStudyStorage(cs))];
        try
        {
            StudyRecord study = await pools[0].CreateStudyAsync(Definition(), CancellationToken.None);
            const int PerTask = 40;

            TrialRecord[][] started = await Task.WhenAll(pools.SelectMany((s, i) => Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
            {
                var mine = new List<TrialRecord>();
                for (int n = 0; n < PerTask; n++)
                {
                    mine.Add(await StartAsync(s, study.Id, $"p{i}w{w}"));
                }

                return mine.ToArray();
            }))));

            int total = pools.Length * 3 * PerTask;
            Assert.Equal(Enumerable.Range(0, total), started.SelectMany(s => s).Select(t => t.Number).Order());
            Assert.Equal(Enumerable.Range(0, total), (await pools[2].GetTrialsAsync(study.Id, CancellationToken.None)).Select(t => t.Number));
            Assert.Equal(new TrialCounts(0, total, 0, 0, 0), await pools[1].GetTrialCountsAsync(study.Id, CancellationToken.None));
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
    public async Task StartTrialAsync_ManyWorkersOnSeveralPoolsWithBudgetAndWaitingTrials_FinishExactlyTheBudget()
    {
        string cs = await database.NewSchemaAsync();
        PostgreSqlStudyStorage[] pools = [.. Enumerable.Range(0, 4).Select(_ => new PostgreSqlStudyStorage(cs))];
        try
        {
            const int Budget = 150;
            StudyRecord study = await pools[0].CreateStudyAsync(Definition(budget: Budget), CancellationToken.None);
            for (int i = 0; i < 20; i++)
            {
                await pools[i % 4].EnqueueTrialAsync(study.Id, Params(i % 5), CancellationToken.None);
            }

            // 16 workers; a few fail or prune, every worker renews heartbeats and reads the history as it goes.
            int[] finished = await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
            {
                IStudyStorage s = pools[w % pools.Length];
                string owner = $"w{w}";
                int mine = 0;
                long version = 0;
                while (await s.StartTrialAsync(study.Id, owner, CancellationToken.None) is { } t)
                {
                    if (t.Parameters.Count == 0)
                    {
                        await s.SetTrialParametersAsync(t.Id, Params(t.Number % 10 / 2.0), CancellationToken.None);
                    }

                    await s.ReportIntermediateValueAsync(t.Id, 1, t.Number, CancellationToken.None);
                    await s.RenewHeartbeatsAsync(study.Id, owner, CancellationToken.None);
                    version = (await s.GetTrialsAsync(study.Id, version, CancellationToken.None)).Version;
                    TrialFinish finish = (t.Number % 7) switch
                    {
                        0 => new TrialFinish(TrialState.Failed, [], "boom"),
                        1 => new TrialFinish(TrialState.Pruned, [t.Number]),
                        _ => new TrialFinish(TrialState.Complete, [t.Number]),
                    };
                    await s.FinishTrialAsync(t.Id, finish, CancellationToken.None);
                    mine++;
                }

                return mine;
            })));

            Assert.Equal(Budget, finished.Sum());
            IReadOnlyList<TrialRecord> trials = await pools[3].GetTrialsAsync(study.Id, CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, Budget), trials.Select(t => t.Number));
            Assert.All(trials, t => Assert.True(t.IsFinished));
            Assert.All(trials, t => Assert.Equal((double)t.Number, t.IntermediateValues[1]));
            TrialCounts counts = await pools[2].GetTrialCountsAsync(study.Id, CancellationToken.None);
            Assert.Equal(Budget, counts.Finished);
            Assert.Equal(trials.Count(t => t.State == TrialState.Failed), counts.Failed);
            Assert.Equal(trials.Count(t => t.State == TrialState.Pruned), counts.Pruned);
            Assert.Equal(0, counts.Running + counts.Waiting);
            Assert.Equal([0.0, 1.0, 2.0, 3.0, 4.0], trials.Take(20).Select(t => (double)t.Parameters["x"]).Distinct().Order());
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
    public async Task Operations_FullDurability_AreReadBackByAnotherInstance()
    {
        string cs = await database.NewSchemaAsync();
        await using var writer = new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = cs, Durability = PostgreSqlDurability.Full });
        await using var reader = new PostgreSqlStudyStorage(cs);
        StudyRecord study = await writer.CreateStudyAsync(Definition(budget: 3, maxRetries: 1, retryOn: RetryOn.Exception), CancellationToken.None);
        TrialRecord t = await StartAsync(writer, study.Id);
        await writer.SetTrialParametersAsync(t.Id, Params(2), CancellationToken.None);
        await writer.ReportIntermediateValueAsync(t.Id, 3, 0.5, CancellationToken.None);
        await writer.SetTrialSystemAttributeAsync(t.Id, "k", "v", CancellationToken.None);
        await writer.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Failed, [], "boom") { RetryAsNewTrial = true }, CancellationToken.None);
        TrialRecord retry = await StartAsync(writer, study.Id);
        await writer.FinishTrialAsync(retry.Id, new TrialFinish(TrialState.Complete, [4.5]), CancellationToken.None);

        IReadOnlyList<TrialRecord> trials = await reader.GetTrialsAsync(study.Id, CancellationToken.None);
        Assert.Equal([TrialState.Failed, TrialState.Complete], trials.Select(x => x.State));
        Assert.Equal(0, TrialRetry.RetryOf(trials[1]));
        Assert.Equal(0.5, trials[1].IntermediateValues[3]);
        Assert.Equal(4.5, (await reader.GetBestTrialAsync(study.Id, CancellationToken.None))?.Value);
        Assert.Equal(new TrialCounts(0, 0, 1, 0, 1), await reader.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task FinishTrialAsync_TrialOfAnotherInstance_FindsItsStudy()
    {
        // The instance that finishes a trial did not start it, so it does not know the trial's study yet.
        string cs = await database.NewSchemaAsync();
        await using var starter = new PostgreSqlStudyStorage(cs);
        await using var finisher = new PostgreSqlStudyStorage(cs);
        StudyRecord study = await starter.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(starter, study.Id);

        await finisher.SetTrialParametersAsync(t.Id, Params(1), CancellationToken.None);
        TrialRecord done = await finisher.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [1.25]), CancellationToken.None);

        Assert.Equal(1.25, done.Value);
        AssertSameTrial(done, await GetTrialAsync(starter, study.Id, 0));
        await Assert.ThrowsAsync<InvalidOperationException>(() => finisher.FinishTrialAsync(t.Id + 1000, new TrialFinish(TrialState.Complete, [1.0]), CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => finisher.ReportIntermediateValueAsync(t.Id + 1000, 1, 1.0, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Operations_ConnectionsKilledWhileWorkersRun_EveryTrialIsRecordedOnceAndTheBudgetHolds()
    {
        // Many workers on two connection pools while their database connections are terminated again and again (as a database
        // restart or a network cut would): every operation retries, none is applied twice, and the study ends exact.
        string cs = await database.NewSchemaAsync();
        PostgreSqlStudyStorage[] pools = [new PostgreSqlStudyStorage(cs), new PostgreSqlStudyStorage(cs)];
        try
        {
            const int Budget = 80;
            StudyRecord study = await pools[0].CreateStudyAsync(Definition(budget: Budget, lease: TimeSpan.FromMinutes(5)), CancellationToken.None);
            using var stop = new CancellationTokenSource();
            Task<int> killer = TerminateConnectionsAsync(TimeSpan.FromMilliseconds(30), stop.Token);

            int[] finished = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => RunWorkerAsync(pools[w % 2], study.Id, $"w{w}"))));
            await stop.CancelAsync();
            int killed = await killer;

            Assert.True(killed > 0, "No connection was terminated.");
            Assert.Equal(Budget, finished.Sum());
            IReadOnlyList<TrialRecord> trials = await pools[1].GetTrialsAsync(study.Id, CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, Budget), trials.Select(t => t.Number));
            Assert.All(trials, t => Assert.Equal((double)t.Number, t.Value));
            Assert.All(trials, t => Assert.Equal((double)t.Number, t.IntermediateValues[0]));
            Assert.Equal(new TrialCounts(0, 0, Budget, 0, 0), await pools[0].GetTrialCountsAsync(study.Id, CancellationToken.None));
        }
        finally
        {
            foreach (PostgreSqlStudyStorage s in pools)
            {
                await s.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Terminates every connection of this class's database that the storage opened (as a database restart or a network cut would),
    /// again every <paramref name="every"/> until <paramref name="stop"/> is cancelled; returns how many it terminated.
    /// </summary>
    private Task<int> TerminateConnectionsAsync(TimeSpan every, CancellationToken stop) => Task.Run(async () =>
    {
        int killed = 0;
        while (!stop.IsCancellationRequested)
        {
            killed += Convert.ToInt32(await PostgreSqlTestServer.ScalarAsync(
                PostgreSqlTestServer.RequireConnectionString(),
                $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database.Name}' AND application_name = 'hpo'"), System.Globalization.CultureInfo.InvariantCulture);
            await Task.Delay(every, CancellationToken.None);
        }

        return killed;
    });

    [Fact]
    public async Task OptimizeAsync_WorkerOnAnotherMachineLost_ItsTrialIsStaleWithinTwiceTheLeaseAndRetried()
    {
        // A trial of a worker on another host (no process check applies): only its lease, by the database's clock, can tell.
        await using var storage = new PostgreSqlStudyStorage(await database.NewSchemaAsync());
        TimeSpan lease = TimeSpan.FromSeconds(1);
        Study study = await Study.CreateAsync(storage, "remote", Space, new StudyOptions { Seed = 4, Budget = 12, Lease = lease, MaxRetries = 1 });
        TrialRecord remote = await StartAsync(storage, study.Record.Id, "other-host:4242:1:deadbeef");
        await storage.SetTrialParametersAsync(remote.Id, Params(0.5), CancellationToken.None);
        await storage.ReportIntermediateValueAsync(remote.Id, 1, 0.75, CancellationToken.None);

        OptimizeResult result = await study.OptimizeAsync(async (t, ct) =>
        {
            await Task.Delay(50, ct);
            return t.Get<double>("x");
        }, new OptimizeOptions { Concurrency = 2 });

        TrialRecord stale = await GetTrialAsync(storage, study.Record.Id, remote.Number);
        Assert.Equal(TrialState.Stale, stale.State);
        TimeSpan detected = stale.FinishedAt!.Value - stale.Heartbeat!.Value;
        Assert.True(detected > lease && detected <= 2 * lease, $"The lost trial became stale {detected.TotalSeconds:0.###} s after its last heartbeat (lease {lease.TotalSeconds} s).");
        TrialRecord retry = Assert.Single(await storage.GetTrialsAsync(study.Record.Id, CancellationToken.None), t => TrialRetry.RetryOf(t) == remote.Number);
        Assert.Equal(TrialState.Complete, retry.State);
        Assert.Equal(0.75, retry.IntermediateValues[1]);
        Assert.Equal(12, result.Counts.Complete);
    }

    [Fact]
    public async Task FailOrphanedTrialsAsync_DatabaseClock_DecidesExpiry()
    {
        // No TimeProvider: the database's clock decides. A lease of 300 ms expires for a trial whose worker stops renewing.
        await using var storage = new PostgreSqlStudyStorage(await database.NewSchemaAsync());
        StudyRecord study = await storage.CreateStudyAsync(Definition(lease: TimeSpan.FromMilliseconds(300)), CancellationToken.None);
        TrialRecord dead = await StartAsync(storage, study.Id, "dead");
        TrialRecord alive = await StartAsync(storage, study.Id, "alive");

        Assert.Empty(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None));
        for (int i = 0; i < 6; i++)
        {
            await Task.Delay(100);
            await storage.RenewHeartbeatsAsync(study.Id, "alive", CancellationToken.None);
        }

        TrialRecord orphan = Assert.Single(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None));
        Assert.Equal(dead.Id, orphan.Id);
        Assert.Equal(TrialState.Running, (await GetTrialAsync(storage, study.Id, alive.Number)).State);
        Assert.True(orphan.FinishedAt - dead.Heartbeat >= TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Operations_ServerUnreachable_ThrowStorageExceptionWithProviderError()
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 2, Password = "secret-password" };
        await using var storage = new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = builder.ConnectionString, TransientRetryTimeout = TimeSpan.FromSeconds(1) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        StorageException e = await Assert.ThrowsAsync<StorageException>(() => storage.GetStudiesAsync(CancellationToken.None).AsTask());

        // A refused connection is transient: retried with backoff until the retry timeout, then reported.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"Gave up after {clock.Elapsed}.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"Gave up only after {clock.Elapsed}.");
        Assert.IsAssignableFrom<NpgsqlException>(e.InnerException);
        Assert.Contains(":1", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_PostgresqlUrl_OpensAPostgreSqlStorageOnThatDatabase()
    {
        var b = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        string url = PostgreSqlTestServer.UrlOf(b.ConnectionString);
        await using (IStudyStorage storage = StorageRegistry.Default.Open(url))
        {
            Assert.IsType<PostgreSqlStudyStorage>(storage);
            await storage.CreateStudyAsync(Definition("via-url"), CancellationToken.None);
        }

        await using IStudyStorage again = StorageRegistry.Default.Open(url.Replace("postgresql://", "postgres://", StringComparison.Ordinal));
        Assert.NotNull(await again.GetStudyAsync("via-url", CancellationToken.None));
        await again.DeleteStudyAsync("via-url", CancellationToken.None);
    }
}
