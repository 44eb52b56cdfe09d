using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Storage.Sqlite;

/// <summary>
/// SQLite's trial writes that bind only what they set (<see cref="SqliteTrialWriteSql"/>), the one-statement trial read, and the
/// two-statement parameter write: what they leave in the file, and that a refused write changes nothing.
/// </summary>
public sealed class SqliteTrialWriteTests : IDisposable
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", -5, 5).AddCategorical("kind", "a", "b").Build();

    private readonly TempDatabases databases = new();

    public void Dispose() => databases.Dispose();

    [Fact]
    public void Insert_NoOptionalValues_WritesOnlyTheFixedColumns()
    {
        (string sql, (string Name, object? Value)[] parameters) = SqliteTrialWriteSql.Insert(Fixed(), [null, null, null, null, null, null]);

        Assert.Equal("INSERT INTO trials (study_id, number, state, created_at, version) VALUES ($s, $n, $state, $now, $v)", sql);
        Assert.Equal(["$s", "$n", "$state", "$now", "$v"], parameters.Select(p => p.Name));
    }

    [Fact]
    public void Insert_SomeOptionalValues_WritesThoseColumnsInOrderAndReusesTheText()
    {
        (string sql, (string Name, object? Value)[] parameters) = SqliteTrialWriteSql.Insert(Fixed(), [null, null, "{\"k\":\"v\"}", 5L, "w", 5L]);
        (string again, _) = SqliteTrialWriteSql.Insert(Fixed(), [null, null, "{}", 6L, "other", 6L]);

        Assert.Equal("INSERT INTO trials (study_id, number, state, created_at, version, system_attrs, started_at, owner, heartbeat) VALUES ($s, $n, $state, $now, $v, $system_attrs, $started_at, $owner, $heartbeat)", sql);
        Assert.Equal(["$s", "$n", "$state", "$now", "$v", "$system_attrs", "$started_at", "$owner", "$heartbeat"], parameters.Select(p => p.Name));
        Assert.Equal("w", parameters[7].Value);
        Assert.Same(sql, again);
    }

    [Fact]
    public void Update_ChangedColumns_WritesThemThenVersionAndId()
    {
        int changed = (1 << Array.IndexOf(SqliteTrialWriteSql.UpdateColumns, "state")) | (1 << Array.IndexOf(SqliteTrialWriteSql.UpdateColumns, "fail_reason"));
        object?[] values = new object?[SqliteTrialWriteSql.UpdateColumns.Length];
        values[0] = 5;
        values[2] = null;

        (string sql, (string Name, object? Value)[] parameters) = SqliteTrialWriteSql.Update(changed, values, version: 9, id: 3);

        Assert.Equal("UPDATE trials SET state = $state, fail_reason = $fail_reason, version = $v WHERE id = $id", sql);
        Assert.Equal([("$state", (object?)5), ("$fail_reason", null), ("$v", 9L), ("$id", 3L)], parameters);
    }

    [Fact]
    public async Task StartTrialAsync_NewTrial_LeavesParametersAndAttributesAtTheirDefaults()
    {
        string path = databases.New().Path;
        await using var storage = new SqliteStudyStorage(path);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);

        TrialRecord t = (await storage.StartTrialAsync(study.Id, "w", CancellationToken.None))!;

        Assert.Equal(new object?[] { "{}", "[]", "{}", "{}", "w" }, await ReadRowAsync(path, t.Id, "params", "vals", "user_attrs", "system_attrs", "owner"));
        Assert.Empty(t.Parameters);
        Assert.Equal(t.StartedAt, t.Heartbeat);
    }

    [Fact]
    public async Task StartTrialAsync_ClaimsAnEnqueuedTrial_KeepsItsParametersAndWritesTheClaim()
    {
        string path = databases.New().Path;
        await using var storage = new SqliteStudyStorage(path);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord waiting = await storage.EnqueueTrialAsync(study.Id, Params(1.5, "b"), CancellationToken.None);

        TrialRecord claimed = (await storage.StartTrialAsync(study.Id, "w", CancellationToken.None))!;
        TrialRecord stored = (await storage.GetTrialAsync(study.Id, claimed.Number, CancellationToken.None))!;

        Assert.Equal(waiting.Id, claimed.Id);
        Assert.Equal(TrialState.Running, stored.State);
        Assert.Equal("w", stored.Owner);
        Assert.NotNull(stored.StartedAt);
        Assert.Equal(1.5, (double)stored.Parameters["x"]);
        Assert.Equal("b", stored.Parameters["kind"]);
    }

    [Fact]
    public async Task SetAndFinish_TrialWithIntermediateValues_ReturnThemWithTheRecord()
    {
        await using var storage = new SqliteStudyStorage(databases.New().Path);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = (await storage.StartTrialAsync(study.Id, "w", CancellationToken.None))!;
        await storage.ReportIntermediateValueAsync(t.Id, 1, 0.5, CancellationToken.None);
        await storage.ReportIntermediateValueAsync(t.Id, 2, double.NaN, CancellationToken.None);

        TrialRecord set = await storage.SetTrialParametersAsync(t.Id, Params(2.0), CancellationToken.None);
        TrialRecord done = await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [4.0]), CancellationToken.None);
        TrialRecord stored = (await storage.GetTrialAsync(study.Id, t.Number, CancellationToken.None))!;

        foreach (TrialRecord r in new[] { set, done, stored })
        {
            Assert.Equal([1L, 2L], r.IntermediateValues.Keys);
            Assert.Equal(0.5, r.IntermediateValues[1]);
            Assert.True(double.IsNaN(r.IntermediateValues[2]));
            Assert.Equal(2.0, (double)r.Parameters["x"]);
        }

        Assert.Equal(TrialState.Running, set.State);
        Assert.Equal(TrialState.Complete, stored.State);
        Assert.Equal([4.0], stored.Values);
    }

    [Fact]
    public async Task SetTrialParametersAsync_Refused_ChangesNeitherTheRowNorTheStudyVersion()
    {
        string path = databases.New().Path;
        await using var storage = new SqliteStudyStorage(path);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord set = (await storage.StartTrialAsync(study.Id, "w", CancellationToken.None))!;
        await storage.SetTrialParametersAsync(set.Id, Params(1.0), CancellationToken.None);
        TrialRecord finished = (await storage.StartTrialAsync(study.Id, "w", CancellationToken.None))!;
        await storage.FinishTrialAsync(finished.Id, new TrialFinish(TrialState.Failed, [], "boom"), CancellationToken.None);
        long version = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;
        object?[] rowSet = await ReadRowAsync(path, set.Id, "params", "version");
        object?[] rowFinished = await ReadRowAsync(path, finished.Id, "params", "version");

        InvalidOperationException twice = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.SetTrialParametersAsync(set.Id, Params(2.0), CancellationToken.None).AsTask());
        TrialAlreadyFinishedException late = await Assert.ThrowsAsync<TrialAlreadyFinishedException>(() => storage.SetTrialParametersAsync(finished.Id, Params(2.0), CancellationToken.None).AsTask());
        InvalidOperationException missing = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.SetTrialParametersAsync(987_654, Params(2.0), CancellationToken.None).AsTask());

        Assert.Contains("already has parameters", twice.Message, StringComparison.Ordinal);
        Assert.Contains("take parameters", late.Message, StringComparison.Ordinal);
        Assert.Contains("987654", missing.Message, StringComparison.Ordinal);
        Assert.Equal(version, (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version);
        Assert.Equal(rowSet, await ReadRowAsync(path, set.Id, "params", "version"));
        Assert.Equal(rowFinished, await ReadRowAsync(path, finished.Id, "params", "version"));
    }

    private static (string Name, object? Value)[] Fixed() => [("$s", 1L), ("$n", 0L), ("$state", 1), ("$now", 0L), ("$v", 1L)];

    private static StudyDefinition Definition() => new()
    {
        Name = "writes",
        SearchSpace = Space,
        Directions = [StudyDirection.Minimize],
        TunerName = "random",
        Seed = 1,
        Lease = TimeSpan.FromMinutes(5),
    };

    private static IReadOnlyDictionary<string, object> Params(double x, string kind = "a") =>
        Space.Validate(new Dictionary<string, object> { ["x"] = x, ["kind"] = kind });

    private static async Task<object?[]> ReadRowAsync(string path, long trialId, params string[] columns)
    {
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await conn.OpenAsync();
        await using SqliteCommand cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {string.Join(", ", columns)} FROM trials WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", trialId);
        await using SqliteDataReader r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), $"There is no trial with id {trialId}.");
        object?[] values = new object?[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            values[i] = r.IsDBNull(i) ? null : r.GetValue(i);
        }

        return values;
    }
}
