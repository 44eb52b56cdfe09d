using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Storage.Testing;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Hpo.Registries;

namespace Hpo.Tests.Storage.Sqlite;

/// <summary>The conformance suite on real SQLite files (a fresh temp file per storage), plus what only a file can do.</summary>
public sealed class SqliteStudyStorageTests : StudyStorageConformanceTests, IDisposable
{
    private readonly TempDatabases databases = new();

    public void Dispose() => databases.Dispose();

    protected override IStudyStorage CreateStorage() => new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = NewDatabase().Path });

    protected override IStudyStorage CreateStorage(TimeProvider timeProvider) =>
        new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = NewDatabase().Path, TimeProvider = timeProvider });

    protected override IStudyStorage? OpenAnotherInstance(IStudyStorage storage) =>
        new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = ((SqliteStudyStorage)storage).FilePath });

    private TempDatabase NewDatabase() => databases.New();

    [Fact]
    public async Task Constructor_ReopenedFile_KeepsStudiesTrialsAndNumbering()
    {
        string path = NewDatabase().Path;
        var clock = new FakeTimeProvider(Epoch);
        IReadOnlyList<TrialRecord> before;
        TrialChanges changesBefore;
        long studyId;
        StudyDefinition definition = RichDefinition("kept");
        await using (var storage = new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = path, TimeProvider = clock }))
        {
            await storage.CreateStudyAsync(Definition("other"), CancellationToken.None);
            StudyRecord study = await storage.CreateStudyAsync(definition, CancellationToken.None);
            studyId = study.Id;
            var p = definition.SearchSpace.Validate(new Dictionary<string, object> { ["lr"] = 0.01, ["dropout"] = 0.25, ["layers"] = 3L, ["batch"] = 64L, ["optimizer"] = "sgd", ["momentum"] = 0.9, ["flag"] = true });
            TrialRecord complete = await storage.StartTrialAsync(study.Id, "w", CancellationToken.None) ?? throw new InvalidOperationException();
            await storage.SetTrialParametersAsync(complete.Id, p, CancellationToken.None);
            await storage.ReportIntermediateValueAsync(complete.Id, 1, 0.5, CancellationToken.None);
            await storage.ReportIntermediateValueAsync(complete.Id, 2, double.NaN, CancellationToken.None);
            await storage.SetTrialUserAttributeAsync(complete.Id, "note", "ünïcode \"quoted\"", CancellationToken.None);
            await storage.SetTrialSystemAttributeAsync(complete.Id, "generation", "1", CancellationToken.None);
            clock.Advance(TimeSpan.FromMilliseconds(1500));
            await storage.FinishTrialAsync(complete.Id, new TrialFinish(TrialState.Complete, [0.875]), CancellationToken.None);
            TrialRecord pruned = await storage.StartTrialAsync(study.Id, "w", CancellationToken.None) ?? throw new InvalidOperationException();
            await storage.FinishTrialAsync(pruned.Id, new TrialFinish(TrialState.Pruned, [0.25]), CancellationToken.None);
            TrialRecord failed = await storage.StartTrialAsync(study.Id, "w", CancellationToken.None) ?? throw new InvalidOperationException();
            await storage.FinishTrialAsync(failed.Id, new TrialFinish(TrialState.Failed, [], "boom", "System.InvalidOperationException"), CancellationToken.None);
            await storage.StartTrialAsync(study.Id, "w", CancellationToken.None);
            await storage.EnqueueTrialAsync(study.Id, p, CancellationToken.None);
            before = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
            changesBefore = await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None);
        }

        await using var reopened = new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = path, TimeProvider = clock });
        StudyRecord? again = await reopened.GetStudyAsync("kept", CancellationToken.None);
        IReadOnlyList<TrialRecord> after = await reopened.GetTrialsAsync(studyId, CancellationToken.None);

        Assert.NotNull(again);
        Assert.Equal(studyId, again.Id);
        AssertSameDefinition(definition, again.Definition);
        Assert.Equal(["other", "kept"], (await reopened.GetStudiesAsync(CancellationToken.None)).Select(s => s.Name));
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            AssertSameTrial(before[i], after[i]);
        }

        Assert.Equal(changesBefore.Version, (await reopened.GetTrialsAsync(studyId, 0, CancellationToken.None)).Version);
        Assert.Equal(new TrialCounts(1, 1, 1, 1, 1), await reopened.GetTrialCountsAsync(studyId, CancellationToken.None));
        Assert.Equal(0, (await reopened.GetBestTrialAsync(studyId, CancellationToken.None))?.Number);
        Assert.True(double.IsNaN(after[0].IntermediateValues[2]));
        Assert.Equal(0.9, (double)after[0].Parameters["momentum"]);
        Assert.Equal(64L, after[0].Parameters["batch"]);
        Assert.Equal(true, after[0].Parameters["flag"]);

        TrialRecord claimed = await reopened.StartTrialAsync(studyId, "w2", CancellationToken.None) ?? throw new InvalidOperationException();
        TrialRecord next = await reopened.StartTrialAsync(studyId, "w2", CancellationToken.None) ?? throw new InvalidOperationException();
        Assert.Equal(4, claimed.Number);
        Assert.Equal(5, next.Number);
    }

    [Fact]
    public async Task Constructor_SchemaVersionNewerThanSupported_ThrowsStorageException()
    {
        string path = NewDatabase().Path;
        await using (var storage = new SqliteStudyStorage(path))
        {
            await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        }

        using (var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            conn.Open();
            using SqliteCommand cmd = conn.CreateCommand();
            cmd.CommandText = $"INSERT INTO hpo_schema (version) VALUES ({SqliteStudyStorage.SchemaVersion + 1})";
            cmd.ExecuteNonQuery();
        }

        StorageException e = Assert.Throws<StorageException>(() => new SqliteStudyStorage(path));

        Assert.Contains($"schema version {SqliteStudyStorage.SchemaVersion + 1}", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(path, OpenFilesOfThisProcess());
    }

    [Fact]
    public async Task Constructor_SchemaVersion1File_MigratesItToCountStaleTrials()
    {
        string path = NewDatabase().Path;
        var clock = new FakeTimeProvider(Epoch);
        long studyId;
        await using (var storage = new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = path, TimeProvider = clock }))
        {
            StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
            studyId = study.Id;
            TrialRecord t = await StartAsync(storage, study.Id);
            await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [1.0]), CancellationToken.None);
            await StartAsync(storage, study.Id, "lost");
        }

        // What version 1 wrote: no stale counter.
        using (var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            conn.Open();
            using SqliteCommand cmd = conn.CreateCommand();
            cmd.CommandText = "ALTER TABLE studies DROP COLUMN n_stale; DELETE FROM hpo_schema; INSERT INTO hpo_schema (version) VALUES (1);";
            cmd.ExecuteNonQuery();
        }

        await using var migrated = new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = path, TimeProvider = clock });
        Assert.Equal(new TrialCounts(0, 1, 1, 0, 0), await migrated.GetTrialCountsAsync(studyId, CancellationToken.None));
        clock.Advance(TestLease + TimeSpan.FromSeconds(1));
        Assert.Equal(TrialState.Stale, Assert.Single(await migrated.FailOrphanedTrialsAsync(studyId, CancellationToken.None)).State);
        Assert.Equal(new TrialCounts(0, 0, 1, 0, 0) { Stale = 1 }, await migrated.GetTrialCountsAsync(studyId, CancellationToken.None));
        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        check.Open();
        using SqliteCommand version = check.CreateCommand();
        version.CommandText = "SELECT MAX(version) FROM hpo_schema";
        Assert.Equal((long)SqliteStudyStorage.SchemaVersion, version.ExecuteScalar());
    }

    /// <summary>Lists the files this process holds open (Linux only; empty elsewhere).</summary>
    private static List<string> OpenFilesOfThisProcess()
    {
        var files = new List<string>();
        if (Directory.Exists("/proc/self/fd"))
        {
            foreach (string fd in Directory.GetFiles("/proc/self/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget is { } target)
                    {
                        files.Add(target);
                    }
                }
                catch (IOException)
                {
                    // The descriptor closed while we looked.
                }
            }
        }

        return files;
    }

    [Fact]
    public void Constructor_FileIsNotADatabase_ThrowsStorageExceptionWithProviderError()
    {
        string path = NewDatabase().Path;
        File.WriteAllText(path, new string('x', 4096));

        StorageException e = Assert.Throws<StorageException>(() => new SqliteStudyStorage(path));

        Assert.IsType<SqliteException>(e.InnerException);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_MissingFolder_CreatesIt()
    {
        TempDatabase db = NewDatabase();
        string folder = Path.Combine(Path.GetDirectoryName(db.Path)!, Guid.NewGuid().ToString("N"), "nested");
        string path = Path.Combine(folder, "study.db");
        try
        {
            await using var storage = new SqliteStudyStorage(path);
            await storage.CreateStudyAsync(Definition(), CancellationToken.None);

            Assert.True(File.Exists(path));
            Assert.Equal(path, storage.FilePath);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var options = new SqliteStudyStorageOptions { Path = " ", BusyTimeout = TimeSpan.FromSeconds(-1), Durability = (SqliteDurability)7 };

        ArgumentException e = Assert.Throws<ArgumentException>(() => new SqliteStudyStorage(options));

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'SqliteStudyStorageOptions' are invalid.", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.Contains("Path", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("BusyTimeout", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Durability", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Constructor_CallerChangesTheOptionsAfterwards_TheStorageKeepsItsCopy()
    {
        string path = NewDatabase().Path;
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var options = new SqliteStudyStorageOptions { Path = path, BusyTimeout = TimeSpan.FromSeconds(7), Durability = SqliteDurability.Full, TimeProvider = clock };
        await using var storage = new SqliteStudyStorage(options);

        options.Path = " ";
        options.BusyTimeout = TimeSpan.FromSeconds(-1);
        options.Durability = (SqliteDurability)7;
        options.MigrateSchema = false;
        options.TimeProvider = TimeProvider.System;

        // New connections (opened while several writes run at once) read the storage's own copy: the pool reads it on every open.
        StudyRecord[] created = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => storage.CreateStudyAsync(Definition("copy" + i), CancellationToken.None).AsTask())));
        Assert.Equal(6, (await storage.GetStudiesAsync(CancellationToken.None)).Count);
        Assert.All(created, s => Assert.Equal(clock.GetUtcNow(), s.CreatedAt));
        Assert.Equal(path, storage.FilePath);
        var kept = (SqliteStudyStorageOptions)typeof(SqliteStudyStorage).GetField("options", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(storage)!;
        Assert.NotSame(options, kept);
        Assert.Equal((path, TimeSpan.FromSeconds(7), SqliteDurability.Full, true, (TimeProvider?)clock), (kept.Path, kept.BusyTimeout, kept.Durability, kept.MigrateSchema, kept.TimeProvider));
    }

    [Fact]
    public async Task FinishTrialAsync_FullDurability_IsReadBackByAnotherInstance()
    {
        string path = NewDatabase().Path;
        await using var writer = new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = path, Durability = SqliteDurability.Full });
        await using var reader = new SqliteStudyStorage(path);
        StudyRecord study = await writer.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(writer, study.Id);

        await writer.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [4.5]), CancellationToken.None);

        Assert.Equal(4.5, (await GetTrialAsync(reader, study.Id, 0)).Value);
    }

    [Fact]
    public async Task CreateStudyAsync_SameNameFromSeveralInstancesAtOnce_ExactlyOneSucceeds()
    {
        string path = NewDatabase().Path;
        var instances = Enumerable.Range(0, 4).Select(_ => new SqliteStudyStorage(path)).ToArray();
        try
        {
            Exception?[] outcomes = await Task.WhenAll(instances.Select(s => Task.Run(() => Record.ExceptionAsync(() => s.CreateStudyAsync(Definition("race"), CancellationToken.None).AsTask()))));

            Assert.Single(outcomes, e => e is null);
            Assert.All(outcomes.Where(e => e is not null), e => Assert.IsType<DuplicateStudyException>(e));
            Assert.Single(await instances[0].GetStudiesAsync(CancellationToken.None));
        }
        finally
        {
            foreach (SqliteStudyStorage s in instances)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task DeleteStudyAsync_ThroughAnotherInstance_IsSeenByTheFirst()
    {
        string path = NewDatabase().Path;
        await using var a = new SqliteStudyStorage(path);
        await using var b = new SqliteStudyStorage(path);
        StudyRecord study = await a.CreateStudyAsync(Definition("shared"), CancellationToken.None);
        await StartAsync(a, study.Id);
        Assert.NotNull(await a.GetStudyAsync(study.Id, CancellationToken.None));

        Assert.True(await b.DeleteStudyAsync("shared", CancellationToken.None));

        Assert.Null(await a.GetStudyAsync("shared", CancellationToken.None));
        Assert.Null(await a.GetStudyAsync(study.Id, CancellationToken.None));
        Assert.Empty(await a.GetStudiesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AnyMethod_AfterDispose_ThrowsObjectDisposedException()
    {
        var storage = new SqliteStudyStorage(NewDatabase().Path);
        await storage.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.GetStudiesAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task StudyStorageOpen_SqliteUrl_OpensTheSameFile()
    {
        TempDatabase db = NewDatabase();
        await using (IStudyStorage first = StorageRegistry.Default.Open(db.Url))
        {
            await first.CreateStudyAsync(Definition("by-url"), CancellationToken.None);
        }

        await using var direct = new SqliteStudyStorage(db.Path);

        Assert.NotNull(await direct.GetStudyAsync("by-url", CancellationToken.None));
    }
}
