using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Hpo.SearchSpaces;
using Hpo.Storage.Providers;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Storage.Sqlite;

/// <summary>
/// The embedded default storage: one SQLite file, safe for many threads and for several processes on one machine.
/// </summary>
/// <remarks>
/// <para>
/// The file runs in write-ahead-log mode with a busy timeout; every write is one <c>BEGIN IMMEDIATE</c> transaction, so a
/// finished trial is committed before <see cref="FinishTrialAsync"/> returns and before its worker starts another trial.
/// Trial numbers, the budget check and waiting-trial claims happen inside that write lock, which makes them exact across
/// processes. The schema carries a version (table <c>hpo_schema</c>) so that later versions can migrate it; a file written by a
/// newer Hpo is refused rather than damaged.
/// </para>
/// <para>
/// Per-trial cost does not grow with the study: state counters live in the study row, and
/// <see cref="GetTrialsAsync(long, long, CancellationToken)"/> reads only the trials whose version changed (an index on it).
/// Network file systems are not supported: SQLite's locking needs a local disk. Use PostgreSQL across machines.
/// </para>
/// </remarks>
public sealed partial class SqliteStudyStorage : StudyStorageBase
{
    /// <summary>The schema version this release reads and writes.</summary>
    public const int SchemaVersion = 2;

    private const string TrialColumns = "id, number, state, params, vals, user_attrs, system_attrs, created_at, started_at, finished_at, owner, heartbeat, fail_reason, exception_type";

    private const string BumpSql = "UPDATE studies SET version = version + 1 WHERE id = $s RETURNING version";

    private static readonly string[,] BumpAndMoveSql = BuildBumpAndMoveSql();

    private readonly SqliteStudyStorageOptions options;
    private readonly TimeProvider timeProvider;
    private readonly SqliteConnectionPool pool;
    private readonly ConcurrentDictionary<long, StudyRecord> studies = new();

    /// <summary>Initializes a new instance of the <see cref="SqliteStudyStorage"/> class, creating or checking the schema.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="StorageException">The file cannot be opened, or it was written by a newer schema version.</exception>
    public SqliteStudyStorage(SqliteStudyStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        this.options = options;
        timeProvider = options.TimeProvider ?? TimeProvider.System;
        string full = System.IO.Path.GetFullPath(options.Path);
        if (options.MigrateSchema)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        }

        FilePath = full;
        pool = new SqliteConnectionPool(options, full);
        try
        {
            Run(InitializeSchema);
        }
        catch
        {
            // A refused file (newer schema, not a database) must not stay open through a pooled connection.
            DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Initializes a new instance of the <see cref="SqliteStudyStorage"/> class for a file.</summary>
    /// <param name="path">The database file.</param>
    public SqliteStudyStorage(string path)
        : this(new SqliteStudyStorageOptions { Path = path })
    {
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string FilePath { get; }

    /// <inheritdoc/>
    public override ValueTask<StudyRecord> CreateStudyAsync(StudyDefinition definition, CancellationToken cancellationToken)
    {
        StorageGuards.Definition(definition);
        return Run(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction();
            long now = Now();
            SqliteCommand exists = Command(conn, tx, "SELECT 1 FROM studies WHERE name = $name", ("$name", definition.Name));
            if (exists.ExecuteScalar() is not null)
            {
                throw new DuplicateStudyException($"A study named '{definition.Name}' already exists in {FilePath}. Load it instead (Study.LoadAsync, or CreateOrLoadAsync to resume it), or choose another name.");
            }

            SqliteCommand insert = Command(conn, tx, "INSERT INTO studies (name, definition, created_at) VALUES ($name, $def, $now) RETURNING id", ("$name", definition.Name), ("$def", definition.ToJson()), ("$now", now));
            long id = (long)insert.ExecuteScalar()!;
            tx.Commit();
            var record = new StudyRecord(id, definition, DateTimeOffset.FromUnixTimeMilliseconds(now));
            studies[id] = record;
            return record;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<StudyRecord?> GetStudyAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Run(conn =>
        {
            SqliteCommand cmd = Command(conn, null, "SELECT id, definition, created_at FROM studies WHERE name = $name", ("$name", name));
            using SqliteDataReader r = cmd.ExecuteReader();
            return r.Read() ? ReadStudy(r) : null;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<StudyRecord?> GetStudyAsync(long studyId, CancellationToken cancellationToken)
    {
        // Always asks the file: another instance or process may have deleted the study since it was cached.
        return Run(conn =>
        {
            SqliteCommand cmd = Command(conn, null, "SELECT id, definition, created_at FROM studies WHERE id = $id", ("$id", studyId));
            using SqliteDataReader r = cmd.ExecuteReader();
            return r.Read() ? ReadStudy(r) : null;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<IReadOnlyList<StudyRecord>> GetStudiesAsync(CancellationToken cancellationToken) => Run<IReadOnlyList<StudyRecord>>(conn =>
    {
        SqliteCommand cmd = Command(conn, null, "SELECT id, definition, created_at FROM studies ORDER BY id");
        using SqliteDataReader r = cmd.ExecuteReader();
        var list = new List<StudyRecord>();
        while (r.Read())
        {
            list.Add(ReadStudy(r));
        }

        return list;
    }, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<StudyCatalog> GetStudyCatalogAsync(CancellationToken cancellationToken) => Run(conn =>
    {
        SqliteCommand cmd = Command(conn, null, "SELECT id, definition, created_at, name FROM studies ORDER BY id");
        using SqliteDataReader r = cmd.ExecuteReader();
        var studies = new List<StudyRecord>();
        var unreadable = new List<UnreadableStudy>();
        while (r.Read())
        {
            AddToCatalog(r.GetInt64(0), r.GetString(3), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), studies, unreadable);
        }

        return new StudyCatalog(studies, unreadable);
    }, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<bool> DeleteStudyAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Run(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction();
            SqliteCommand find = Command(conn, tx, "SELECT id FROM studies WHERE name = $name", ("$name", name));
            if (find.ExecuteScalar() is not long id)
            {
                return false;
            }

            Exec(conn, tx, "DELETE FROM trial_values WHERE trial_id IN (SELECT id FROM trials WHERE study_id = $s)", ("$s", id));
            Exec(conn, tx, "DELETE FROM trials WHERE study_id = $s", ("$s", id));
            Exec(conn, tx, "DELETE FROM studies WHERE id = $s", ("$s", id));
            tx.Commit();
            studies.TryRemove(id, out _);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord> EnqueueTrialAsync(long studyId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        StudyRecord study = Study(studyId);
        IReadOnlyDictionary<string, object> validated = study.Definition.SearchSpace.Validate(parameters);
        return RunRules(study, store => TrialLifecycle.Enqueue(store, validated, NowTime()), cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord?> StartTrialAsync(long studyId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        StudyRecord study = Study(studyId);
        return RunRules(study, store => TrialLifecycle.Start(store, TrialPolicy.Of(study.Definition), owner, NowTime()), cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord> SetTrialParametersAsync(long trialId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Run(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction();
            (StudyRecord study, TrialRecord t, long version) = ReadTrialById(conn, tx, trialId);
            if (t.IsFinished)
            {
                throw StorageGuards.AlreadyFinished(t, "take parameters");
            }

            if (t.Parameters.Count > 0)
            {
                throw new InvalidOperationException($"Trial {t.Number} already has parameters; they are set once.");
            }

            version = BumpKnownVersion(conn, study.Id, version);
            Exec(conn, tx, "UPDATE trials SET params = $p, version = $v WHERE id = $id", ("$p", StudyDefinitionJson.WriteParameters(study.Definition.SearchSpace, parameters)), ("$v", version), ("$id", trialId));
            tx.Commit();
            return t with { Parameters = study.Definition.SearchSpace.Validate(parameters) };
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask ReportIntermediateValueAsync(long trialId, long step, double value, CancellationToken cancellationToken) => RunVoid(conn =>
    {
        using SqliteWriteTransaction tx = conn.BeginTransaction();
        long studyId = StudyOfUnfinishedTrial(conn, tx, trialId, "report intermediate values");
        long version = BumpVersion(conn, tx, studyId);
        Exec(conn, tx, "INSERT INTO trial_values (trial_id, step, value) VALUES ($id, $step, $value) ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value", ("$id", trialId), ("$step", step), ("$value", double.IsNaN(value) ? DBNull.Value : value));
        Exec(conn, tx, "UPDATE trials SET version = $v WHERE id = $id", ("$v", version), ("$id", trialId));
        tx.Commit();
    }, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask SetTrialUserAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken) =>
        SetAttribute(trialId, "user_attrs", key, value, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask SetTrialSystemAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken) =>
        SetAttribute(trialId, "system_attrs", key, value, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<TrialRecord> FinishTrialAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finish);
        return Run(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction();
            (StudyRecord study, TrialRecord t, long version) = ReadTrialById(conn, tx, trialId);
            StorageGuards.Finish(finish, study.Definition.Directions.Count);
            TrialRecord done = TrialLifecycle.Finish(new LifecycleStore(this, conn, study, version), t, finish, NowTime());
            tx.Commit();
            return done;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<int> RenewHeartbeatsAsync(long studyId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return Run(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction();
            int n = Exec(conn, tx, "UPDATE trials SET heartbeat = $now WHERE study_id = $s AND state = 1 AND owner = $o", ("$now", Now()), ("$s", studyId), ("$o", owner));
            tx.Commit();
            return n;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<IReadOnlyList<TrialRecord>> FailOrphanedTrialsAsync(long studyId, CancellationToken cancellationToken)
    {
        StudyRecord study = Study(studyId);
        return RunRules(study, store => TrialLifecycle.FailExpired(store, TrialPolicy.Of(study.Definition), NowTime()), cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord?> FailAbandonedTrialAsync(long trialId, string owner, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return Run(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction();
            (StudyRecord study, TrialRecord t, long version) = ReadTrialById(conn, tx, trialId);
            TrialRecord? stale = TrialLifecycle.FailAbandoned(new LifecycleStore(this, conn, study, version), TrialPolicy.Of(study.Definition), t, owner, reason, NowTime());
            tx.Commit();
            return stale;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<TrialChanges> GetTrialsAsync(long studyId, long sinceVersion, CancellationToken cancellationToken)
    {
        StudyRecord study = Study(studyId);
        return Run(conn =>
        {
            // A deferred transaction is one read snapshot: the version and the rows agree.
            using SqliteWriteTransaction tx = conn.BeginTransaction(deferred: true);
            long version;
            SqliteCommand v = Command(conn, tx, "SELECT version FROM studies WHERE id = $s", ("$s", studyId));
            version = v.ExecuteScalar() is long l ? l : throw new InvalidOperationException($"There is no study with id {studyId} in {FilePath}.");

            if (sinceVersion >= version)
            {
                return new TrialChanges([], version);
            }

            string filter = sinceVersion > 0 ? "study_id = $s AND version > $since" : "study_id = $s";
            var values = new Dictionary<long, ImmutableSortedDictionary<long, double>.Builder>();
            SqliteCommand iv = Command(conn, tx, $"SELECT trial_id, step, value FROM trial_values WHERE trial_id IN (SELECT id FROM trials WHERE {filter})", ("$s", studyId), ("$since", sinceVersion));
            using (SqliteDataReader r = iv.ExecuteReader())
            {
                while (r.Read())
                {
                    long id = r.GetInt64(0);
                    if (!values.TryGetValue(id, out ImmutableSortedDictionary<long, double>.Builder? b))
                    {
                        values[id] = b = ImmutableSortedDictionary.CreateBuilder<long, double>();
                    }

                    b[r.GetInt64(1)] = r.IsDBNull(2) ? double.NaN : r.GetDouble(2);
                }
            }

            var list = new List<TrialRecord>();
            SqliteCommand cmd = Command(conn, tx, $"SELECT {TrialColumns} FROM trials WHERE {filter} ORDER BY number", ("$s", studyId), ("$since", sinceVersion));
            using (SqliteDataReader r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    TrialRecord t = ReadTrialRow(r, study.Definition.SearchSpace);
                    list.Add(values.TryGetValue(t.Id, out ImmutableSortedDictionary<long, double>.Builder? b) ? t with { IntermediateValues = b.ToImmutable() } : t);
                }
            }

            tx.Commit();
            return new TrialChanges(list, version);
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken)
    {
        StudyRecord study = Study(studyId);
        return Run(conn =>
        {
            SqliteCommand cmd = Command(conn, null, "SELECT id FROM trials WHERE study_id = $s AND number = $n", ("$s", studyId), ("$n", number));
            return cmd.ExecuteScalar() is long id ? ReadTrial(conn, null, study, id) : null;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<TrialCounts> GetTrialCountsAsync(long studyId, CancellationToken cancellationToken) => Run(conn =>
    {
        SqliteCommand cmd = Command(conn, null, "SELECT n_waiting, n_running, n_complete, n_pruned, n_failed, n_stale FROM studies WHERE id = $s", ("$s", studyId));
        using SqliteDataReader r = cmd.ExecuteReader();
        return r.Read()
            ? new TrialCounts(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)) { Stale = r.GetInt32(5) }
            : throw new InvalidOperationException($"There is no study with id {studyId} in {FilePath}.");
    }, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<TrialRecord?> GetBestTrialAsync(long studyId, CancellationToken cancellationToken)
    {
        StudyRecord study = Study(studyId);
        string order = study.Definition.Direction == Hpo.StudyDirection.Minimize ? "ASC" : "DESC";
        return Run(conn =>
        {
            SqliteCommand cmd = Command(conn, null, $"SELECT id FROM trials WHERE study_id = $s AND state = 2 ORDER BY CAST(json_extract(vals, '$[0]') AS REAL) {order}, number ASC LIMIT 1", ("$s", studyId));
            return cmd.ExecuteScalar() is long id ? ReadTrial(conn, null, study, id) : null;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    protected override ValueTask DisposeAsyncCore()
    {
        pool.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Gets the connection's prepared command for <paramref name="sql"/>, bound to the transaction and parameters given.</summary>
    /// <remarks>The command belongs to the connection's cache: callers dispose its readers, never the command itself.</remarks>
    private static SqliteCommand Command(SqlitePooledConnection conn, SqliteWriteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        _ = tx; // statements run inside the connection's open transaction, if any (see SqliteWriteTransaction)
        SqliteCommand cmd = conn.Prepared(sql);
        SqliteParameterCollection bound = cmd.Parameters;
        if (bound.Count == parameters.Length)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                SqliteParameter p = bound[i];
                if (p.ParameterName != parameters[i].Name)
                {
                    bound.Clear();
                    break;
                }

                p.Value = parameters[i].Value ?? DBNull.Value;
            }

            if (bound.Count == parameters.Length)
            {
                return cmd;
            }
        }

        bound.Clear();
        foreach ((string name, object? value) in parameters)
        {
            bound.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    private static int Exec(SqlitePooledConnection conn, SqliteWriteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        SqliteCommand cmd = Command(conn, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>Advances the study's version and, when a trial changes state, moves it between the state counters, in one statement.</summary>
    private static long BumpVersion(SqlitePooledConnection conn, SqliteWriteTransaction? tx, long studyId, TrialState? from = null, TrialState? to = null)
    {
        string sql = from is TrialState f && to is TrialState t && f != t ? BumpAndMoveSql[(int)f, (int)t] : BumpSql;
        SqliteCommand cmd = Command(conn, tx, sql, ("$s", studyId));
        return cmd.ExecuteScalar() is long v ? v : throw new InvalidOperationException($"There is no study with id {studyId} (was it deleted?).");
    }

    /// <summary>
    /// Advances the version of a study whose version the caller read in its open write transaction, without reading it back
    /// (a statement with RETURNING costs SQLite noticeably more).
    /// </summary>
    /// <returns>The new version.</returns>
    private static long BumpKnownVersion(SqlitePooledConnection conn, long studyId, long version) =>
        Exec(conn, null, "UPDATE studies SET version = version + 1 WHERE id = $s", ("$s", studyId)) == 1
            ? version + 1
            : throw new InvalidOperationException($"There is no study with id {studyId} (was it deleted?).");

    private static string[,] BuildBumpAndMoveSql()
    {
        TrialState[] states = Enum.GetValues<TrialState>();
        var sql = new string[states.Length, states.Length];
        foreach (TrialState from in states)
        {
            foreach (TrialState to in states)
            {
                sql[(int)from, (int)to] = $"UPDATE studies SET version = version + 1, {CountColumn(from)} = {CountColumn(from)} - 1, {CountColumn(to)} = {CountColumn(to)} + 1 WHERE id = $s RETURNING version";
            }
        }

        return sql;
    }

    private static string CountColumn(TrialState state) => state switch
    {
        TrialState.Waiting => "n_waiting",
        TrialState.Running => "n_running",
        TrialState.Complete => "n_complete",
        TrialState.Pruned => "n_pruned",
        TrialState.Stale => "n_stale",
        _ => "n_failed",
    };

    private static StudyRecord ReadStudy(SqliteDataReader r) =>
        new(r.GetInt64(0), StudyDefinition.FromJson(r.GetString(1)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)));

    private static DateTimeOffset? Time(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static TrialRecord ReadTrialRow(SqliteDataReader r, SearchSpace space) => new()
    {
        Id = r.GetInt64(0),
        Number = r.GetInt32(1),
        State = (TrialState)r.GetInt32(2),
        Parameters = StudyDefinitionJson.ReadParameters(space, Text(r, 3)),
        Values = StudyDefinitionJson.ReadValues(Text(r, 4)),
        UserAttributes = StudyDefinitionJson.ReadAttributes(Text(r, 5)),
        SystemAttributes = StudyDefinitionJson.ReadAttributes(Text(r, 6)),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
        StartedAt = Time(r, 8),
        FinishedAt = Time(r, 9),
        Owner = Text(r, 10),
        Heartbeat = Time(r, 11),
        FailReason = Text(r, 12),
        ExceptionType = Text(r, 13),
    };

    private TrialRecord ReadTrial(SqlitePooledConnection conn, SqliteWriteTransaction? tx, StudyRecord study, long id)
    {
        // Whether the trial has intermediate values comes with the row: most have none, and then one statement reads it.
        TrialRecord t;
        bool hasValues;
        SqliteCommand cmd = Command(conn, tx, $"SELECT {TrialColumns}, EXISTS (SELECT 1 FROM trial_values WHERE trial_id = $id) FROM trials WHERE id = $id", ("$id", id));
        using (SqliteDataReader r = cmd.ExecuteReader())
        {
            if (!r.Read())
            {
                throw new InvalidOperationException($"There is no trial with id {id} in {FilePath}.");
            }

            t = ReadTrialRow(r, study.Definition.SearchSpace);
            hasValues = r.GetInt64(14) != 0;
        }

        return hasValues ? WithIntermediateValues(conn, tx, t) : t;
    }

    private static TrialRecord WithIntermediateValues(SqlitePooledConnection conn, SqliteWriteTransaction? tx, TrialRecord t)
    {
        SqliteCommand iv = Command(conn, tx, "SELECT step, value FROM trial_values WHERE trial_id = $id", ("$id", t.Id));
        using SqliteDataReader r = iv.ExecuteReader();
        ImmutableSortedDictionary<long, double>.Builder? b = null;
        while (r.Read())
        {
            b ??= ImmutableSortedDictionary.CreateBuilder<long, double>();
            b[r.GetInt64(0)] = r.IsDBNull(1) ? double.NaN : r.GetDouble(1);
        }

        return b is null ? t : t with { IntermediateValues = b.ToImmutable() };
    }

    /// <summary>
    /// Reads a trial, its study and the study's version (which the caller's write transaction holds: its writes advance it from
    /// there, see <see cref="BumpKnownVersion"/>).
    /// </summary>
    private (StudyRecord Study, TrialRecord Trial, long Version) ReadTrialById(SqlitePooledConnection conn, SqliteWriteTransaction tx, long trialId)
    {
        // The study's id and version and whether the trial has intermediate values come with the row, so one statement finds them
        // all (most trials have no intermediate values, and then nothing else is read).
        StudyRecord study;
        TrialRecord t;
        bool hasValues;
        long version;
        SqliteCommand cmd = Command(conn, tx, $"SELECT {TrialColumns}, study_id, EXISTS (SELECT 1 FROM trial_values WHERE trial_id = $id), (SELECT version FROM studies WHERE id = trials.study_id) FROM trials WHERE id = $id", ("$id", trialId));
        using (SqliteDataReader r = cmd.ExecuteReader())
        {
            if (!r.Read())
            {
                throw new InvalidOperationException($"There is no trial with id {trialId} in {FilePath}.");
            }

            study = Study(r.GetInt64(14));
            t = ReadTrialRow(r, study.Definition.SearchSpace);
            hasValues = r.GetInt64(15) != 0;
            version = r.GetInt64(16);
        }

        return (study, hasValues ? WithIntermediateValues(conn, tx, t) : t, version);
    }

    /// <summary>Gets the study of a trial that a write is about to change, throwing if the trial is finished.</summary>
    private long StudyOfUnfinishedTrial(SqlitePooledConnection conn, SqliteWriteTransaction tx, long trialId, string action)
    {
        long studyId;
        TrialState state;
        SqliteCommand cmd = Command(conn, tx, "SELECT study_id, state FROM trials WHERE id = $id", ("$id", trialId));
        using (SqliteDataReader r = cmd.ExecuteReader())
        {
            if (!r.Read())
            {
                throw new InvalidOperationException($"There is no trial with id {trialId} in {FilePath}.");
            }

            studyId = r.GetInt64(0);
            state = (TrialState)r.GetInt32(1);
        }

        if (state.IsFinished())
        {
            throw StorageGuards.AlreadyFinished(ReadTrial(conn, tx, Study(studyId), trialId), action);
        }

        return studyId;
    }

    private ValueTask SetAttribute(long trialId, string column, string key, string value, CancellationToken cancellationToken)
    {
        StorageGuards.AttributeKey(key);
        ArgumentNullException.ThrowIfNull(value);
        return RunVoid(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction();
            long studyId = StudyOfUnfinishedTrial(conn, tx, trialId, "change its attributes");
            string? current;
            SqliteCommand read = Command(conn, tx, $"SELECT {column} FROM trials WHERE id = $id", ("$id", trialId));
            current = read.ExecuteScalar() as string;

            ImmutableDictionary<string, string> attrs = StudyDefinitionJson.ReadAttributes(current).SetItem(key, value);
            long version = BumpVersion(conn, tx, studyId);
            Exec(conn, tx, $"UPDATE trials SET {column} = $a, version = $v WHERE id = $id", ("$a", StudyDefinitionJson.WriteAttributes(attrs)), ("$v", version), ("$id", trialId));
            tx.Commit();
        }, cancellationToken);
    }

    private StudyRecord Study(long studyId)
    {
        if (studies.TryGetValue(studyId, out StudyRecord? s))
        {
            return s;
        }

        StudyRecord? loaded = Run(conn =>
        {
            SqliteCommand cmd = Command(conn, null, "SELECT id, definition, created_at FROM studies WHERE id = $id", ("$id", studyId));
            using SqliteDataReader r = cmd.ExecuteReader();
            return r.Read() ? ReadStudy(r) : null;
        }, CancellationToken.None).Result;
        return loaded is null
            ? throw new InvalidOperationException($"There is no study with id {studyId} in {FilePath} (was it deleted?).")
            : studies.GetOrAdd(studyId, loaded);
    }

    private long Now() => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The storage's clock at the file's resolution (milliseconds), for the trial rules.</summary>
    private DateTimeOffset NowTime() => DateTimeOffset.FromUnixTimeMilliseconds(Now());

    private ValueTask<T> Run<T>(Func<SqlitePooledConnection, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SqlitePooledConnection conn = pool.Rent(this);
        bool healthy = true;
        try
        {
            return ValueTask.FromResult(work(conn));
        }
        catch (SqliteException e)
        {
            healthy = false;
            throw new StorageException($"SQLite storage {FilePath} failed: {e.Message}", e);
        }
        finally
        {
            if (healthy)
            {
                pool.Return(conn);
            }
            else
            {
                conn.Dispose();
            }
        }
    }

    private ValueTask RunVoid(Action<SqlitePooledConnection> work, CancellationToken cancellationToken)
    {
        _ = Run(conn =>
        {
            work(conn);
            return true;
        }, cancellationToken);
        return ValueTask.CompletedTask;
    }

    private void Run(Action<SqlitePooledConnection> work) => RunVoid(work, CancellationToken.None);
}
