using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;
using Npgsql;
using NpgsqlTypes;

namespace Hpo.PostgreSql;

/// <summary>
/// The storage for many workers on many machines: one PostgreSQL database is the shared truth of every study.
/// </summary>
/// <remarks>
/// <para>
/// <b>Correctness under concurrency.</b> Every change to a study's trials runs in one transaction that first locks the study's row
/// (<c>SELECT … FOR UPDATE</c>); that row holds the next trial number, the study's change version and the count of trials in each
/// state. Trial numbers, the budget check, claims of waiting trials (<c>FOR UPDATE SKIP LOCKED</c>), lease expiry and version
/// advances are therefore exact across any number of workers and machines. Locks are always taken study row first, then trial rows,
/// so workers do not deadlock each other; an operation PostgreSQL still aborts as a deadlock is run again
/// (<see cref="PostgreSqlStudyStorageOptions.DeadlockRetries"/>). Heartbeat renewals lock only the owner's trial rows.
/// </para>
/// <para>
/// <b>Clock.</b> Timestamps and lease expiry use the database's clock (<c>statement_timestamp()</c>), never the workers' clocks, which
/// may disagree. Tests can replace it with <see cref="PostgreSqlStudyStorageOptions.TimeProvider"/>. Workers cannot renew heartbeats
/// while the server is down, so a server that started less than a lease ago gives every running trial a full lease from its start.
/// Expired leases are looked for when a trial starts, at most every eighth of the lease per study.
/// </para>
/// <para>
/// <b>Cost.</b> Per-trial work does not grow with the study: counters live in the study row, partial indexes find the oldest waiting
/// trial, the expired leases and the best trial, and <see cref="GetTrialsAsync(long, long, CancellationToken)"/> reads only the trials
/// whose version changed (an index on it). Starting a trial, setting its parameters, reporting a value and finishing it are each one
/// call of a server-side function (one round trip), so the study row is locked only while the server works.
/// </para>
/// <para>
/// <b>Durability.</b> Every write is committed before the call returns, and with <see cref="PostgreSqlDurability.Full"/> (the default)
/// flushed to disk (<c>synchronous_commit</c> on); <see cref="PostgreSqlDurability.Grouped"/> commits trial writes asynchronously and
/// waits for the flush after the commit. Since a lock is held until its commit reaches the disk, the finishes that start workers'
/// next trials (<see cref="FinishAndStartTrialAsync"/>) are done in groups, one commit and one flush for all the requests recorded
/// meanwhile; parameters, set under a version that the start reserved, lock only the trial's row, so that their flushes group too.
/// </para>
/// <para>
/// <b>Schema.</b> The tables (<c>hpo_schema</c>, <c>hpo_studies</c>, <c>hpo_trials</c>, <c>hpo_trial_values</c>) are created in the
/// connection's default schema on first use, under a transaction-level advisory lock so that many workers starting at once create
/// them once; set <c>Search Path</c> in the connection string to keep them in another schema. The schema carries a version, later
/// releases migrate it step by step, and a database written by a newer release is refused rather than damaged.
/// </para>
/// <para>
/// <b>URLs.</b> Referencing this package registers the <c>postgresql://</c> and <c>postgres://</c> schemes with
/// <see cref="StudyStorage.Open(string)"/> (see <see cref="Register"/>).
/// </para>
/// </remarks>
public sealed class PostgreSqlStudyStorage : StudyStorageBase
{
    private const string NowSql = "COALESCE(@now, statement_timestamp())";

    private const string TrialColumns = "t.id, t.number, t.state, t.params, t.vals, t.user_attrs::text, t.system_attrs::text, t.created_at, t.started_at, t.finished_at, t.owner, t.heartbeat, t.fail_reason, t.exception_type";

    private const string TrialSelect = "SELECT " + TrialColumns + """
        , iv.steps, iv.ivals FROM hpo_trials t
        LEFT JOIN LATERAL (SELECT array_agg(v.step ORDER BY v.step) AS steps, array_agg(v.value ORDER BY v.step) AS ivals FROM hpo_trial_values v WHERE v.trial_id = t.id) iv ON true
        """;

    private const string WaitingSql = "SELECT id FROM hpo_trials WHERE study_id = @s AND state = 0 ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED";

    private const string StudyCounters = "version, next_number, n_waiting, n_running, n_complete, n_pruned, n_failed, n_stale";

    private static int registered;

    private readonly NpgsqlDataSource dataSource;
    private readonly bool ownsDataSource;
    private readonly TimeProvider? timeProvider;
    private readonly int deadlockRetries;
    private readonly bool grouped;
    private readonly TimeSpan transientRetryTimeout;
    private readonly ConcurrentDictionary<long, StudyRecord> studies = new();
    private readonly ConcurrentDictionary<long, long> trialStudies = new();
    private readonly SemaphoreSlim schemaLock = new(1, 1);
    private readonly bool migrateSchema;
    private volatile bool schemaReady;
    private int disposed;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlStudyStorage"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <remarks>Nothing is sent to the database until the first operation, which creates or checks the schema.</remarks>
    /// <exception cref="ArgumentException">The options are invalid (for example a malformed URL).</exception>
    public PostgreSqlStudyStorage(PostgreSqlStudyStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        timeProvider = options.TimeProvider;
        deadlockRetries = options.DeadlockRetries;
        PostgreSqlDurability durability = options.Durability;
        migrateSchema = options.MigrateSchema;
        transientRetryTimeout = options.TransientRetryTimeout;
        if (options.DataSource is { } shared)
        {
            dataSource = shared;
        }
        else
        {
            string text = options.ConnectionString!;
            if (PostgreSqlUrl.IsUrl(text) && TakeDurability(ref text) is PostgreSqlDurability fromUrl)
            {
                durability = fromUrl;
            }

            if (PostgreSqlUrl.IsUrl(text) && !StorageUrlOptions.TakeMigrate(ref text))
            {
                migrateSchema = false;
            }

            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(PostgreSqlUrl.IsUrl(text) ? PostgreSqlUrl.ToConnectionString(text) : text);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"The PostgreSQL connection string is invalid: {e.Message}", nameof(options), e);
            }

            if (string.IsNullOrEmpty(builder.ApplicationName))
            {
                builder.ApplicationName = "hpo";
            }

            // The storage runs the same few statements again and again: prepare them once per connection, unless told otherwise.
            // It leaves no session state behind (settings are transaction-local), so a pooled connection needs no reset.
            if (!text.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
            {
                builder.MaxAutoPrepare = 32;
            }

            if (!text.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
            {
                builder.NoResetOnClose = true;
            }

            dataSource = NpgsqlDataSource.Create(builder);
            ownsDataSource = true;
        }

        grouped = durability == PostgreSqlDurability.Grouped;
        var described = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Description = $"PostgreSQL database '{described.Database ?? described.Username}' on {described.Host ?? "localhost"}:{described.Port}";
    }

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlStudyStorage"/> class.</summary>
    /// <param name="connectionString">An Npgsql connection string or a <c>postgresql://</c> URL.</param>
    /// <exception cref="ArgumentException">The connection string is invalid.</exception>
    public PostgreSqlStudyStorage(string connectionString)
        : this(new PostgreSqlStudyStorageOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>Gets the schema version this release reads and writes.</summary>
    public static int SchemaVersion => PostgreSqlSchema.Version;

    /// <summary>Gets a description of the database for messages (database, host and port; never the password).</summary>
    public string Description { get; }

    /// <summary>
    /// Gets or sets a testing hook called after a write's statement ran (and, outside transactions, committed) and before its answer is
    /// used: a test throws a transient <see cref="NpgsqlException"/> from it to lose the acknowledgement of a committed write.
    /// </summary>
    internal Action<string>? AfterWrite { get; set; }

    /// <summary>Gets or sets a counter for tests' <see cref="AfterWrite"/> hooks.</summary>
    internal int WritesSeen { get; set; }

    /// <summary>Gets the durability in force (the options', or a URL's <c>durability</c> option).</summary>
    internal PostgreSqlDurability Durability => grouped ? PostgreSqlDurability.Grouped : PostgreSqlDurability.Full;

    /// <summary>Gets the connection string in use, without its password.</summary>
    internal string ConnectionString => dataSource.ConnectionString;

    /// <summary>
    /// Registers the <c>postgresql://</c> and <c>postgres://</c> URL schemes with <see cref="StudyStorage.Open(string)"/>. Called
    /// automatically when this assembly loads, and by <see cref="StudyStorage.Open(string)"/> itself when the package is referenced,
    /// so calling it is only needed in unusual hosts; calling it again does nothing.
    /// </summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            StudyStorage.RegisterScheme("postgresql", url => new PostgreSqlStudyStorage(url));
            StudyStorage.RegisterScheme("postgres", url => new PostgreSqlStudyStorage(url));
        }
    }

    /// <summary>Creates or checks the schema now rather than on the first operation.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the schema is ready.</returns>
    /// <exception cref="StorageException">The database cannot be reached, or it holds a schema written by a newer release.</exception>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken = default) =>
        await RunAsync((conn, tx, ct) => Task.FromResult(true), transaction: false, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public override async ValueTask<StudyRecord> CreateStudyAsync(StudyDefinition definition, CancellationToken cancellationToken)
    {
        StorageGuards.Definition(definition);

        // Identifies this call, so that sending it again after a lost acknowledgement returns the study it created.
        var request = Guid.NewGuid();
        return await RunAsync(
            async (conn, tx, ct) =>
            {
                using NpgsqlCommand cmd = Command(conn, tx, "SELECT * FROM hpo_create_study(@name, @def, @now, @request)", P("name", definition.Name), P("def", definition.ToJson()), NowParameter(), P("request", request));
                NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                if (!await r.ReadAsync(ct).ConfigureAwait(false) || r.GetInt32(0) != PostgreSqlSchema.Status.Ok)
                {
                    throw new DuplicateStudyException($"A study named '{definition.Name}' already exists in the {Description}. Load it instead (Study.LoadAsync, or CreateOrLoadAsync to resume it), or choose another name.");
                }

                var record = new StudyRecord(r.GetInt64(1), definition, r.GetFieldValue<DateTimeOffset>(2));
                AfterWrite?.Invoke("create");
                studies[record.Id] = record;
                return record;
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<StudyRecord?> GetStudyAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await RunAsync((conn, tx, ct) => ReadStudyAsync(conn, "name = @name", P("name", name), ct), transaction: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<StudyRecord?> GetStudyAsync(long studyId, CancellationToken cancellationToken) =>
        await RunAsync((conn, tx, ct) => ReadStudyAsync(conn, "id = @id", P("id", studyId), ct), transaction: false, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public override async ValueTask<StudyCatalog> GetStudyCatalogAsync(CancellationToken cancellationToken) =>
        await RunAsync(
            async (conn, tx, ct) =>
            {
                using NpgsqlCommand cmd = Command(conn, null, "SELECT id, definition, created_at, name FROM hpo_studies ORDER BY id");
                NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                var studies = new List<StudyRecord>();
                var unreadable = new List<UnreadableStudy>();
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    AddToCatalog(r.GetInt64(0), r.GetString(3), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), studies, unreadable);
                }

                return new StudyCatalog(studies, unreadable);
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public override async ValueTask<IReadOnlyList<StudyRecord>> GetStudiesAsync(CancellationToken cancellationToken) =>
        await RunAsync<IReadOnlyList<StudyRecord>>(
            async (conn, tx, ct) =>
            {
                using NpgsqlCommand cmd = Command(conn, null, "SELECT id, definition, created_at FROM hpo_studies ORDER BY id");
                NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                var list = new List<StudyRecord>();
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    list.Add(ReadStudy(r));
                }

                return list;
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public override async ValueTask<bool> DeleteStudyAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var request = Guid.NewGuid();
        return await RunAsync(
            async (conn, tx, ct) =>
            {
                // The trials and their values go with the study (ON DELETE CASCADE). Sent again after a lost acknowledgement, the
                // call answers what the first one did.
                using NpgsqlCommand cmd = Command(conn, tx, "SELECT hpo_delete_study(@name, @request)", P("name", name), P("request", request));
                bool deleted = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is true;
                AfterWrite?.Invoke("delete");
                foreach (KeyValuePair<long, StudyRecord> kv in studies)
                {
                    if (kv.Value.Definition.Name == name)
                    {
                        studies.TryRemove(kv.Key, out _);
                    }
                }

                return deleted;
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<TrialRecord> EnqueueTrialAsync(long studyId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        StudyRecord study = await StudyAsync(studyId, cancellationToken).ConfigureAwait(false);
        string json = StudyDefinitionJson.WriteParameters(study.Definition.SearchSpace, parameters);

        // Identifies this call, so that sending it again after a lost acknowledgement returns the trial it enqueued.
        var request = Guid.NewGuid();
        (int status, TrialRecord? t, _, _) = await CallAsync(
            "SELECT * FROM hpo_enqueue(@s, @p, @now, @request)",
            study,
            cancellationToken,
            P("s", studyId),
            P("p", json),
            NowParameter(),
            P("request", request)).ConfigureAwait(false);
        if (status != PostgreSqlSchema.Status.Ok)
        {
            throw NoStudy(studyId);
        }

        trialStudies[t!.Id] = studyId;
        return t;
    }

    /// <inheritdoc/>
    public override async ValueTask<TrialRecord?> StartTrialAsync(long studyId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        StudyRecord study = await StudyAsync(studyId, cancellationToken).ConfigureAwait(false);

        // Identifies this start, so that sending it again after a lost connection cannot start a second trial.
        var request = Guid.NewGuid();
        (int status, TrialRecord? started, _, _) = await CallAsync(
            "SELECT * FROM hpo_start_trial(@s, @o, @now, @lease, @budget, @async, @request)",
            study,
            cancellationToken,
            P("s", studyId),
            P("o", owner),
            NowParameter(),
            P("lease", study.Definition.Lease),
            new NpgsqlParameter("budget", NpgsqlDbType.Integer) { Value = (object?)study.Definition.Budget ?? DBNull.Value },
            P("async", grouped),
            P("request", request)).ConfigureAwait(false);
        switch (status)
        {
            case PostgreSqlSchema.Status.Ok:
                trialStudies[started!.Id] = studyId;
                return started;
            case PostgreSqlSchema.Status.BudgetFull:
                return null;
            case PostgreSqlSchema.Status.NotFound:
                throw NoStudy(studyId);
            default:
                // Leases expired: marking trials stale (and enqueuing their retries) is done here, under the same lock.
                TrialRecord? t = await StartTrialMarkingStaleAsync(study, owner, request, cancellationToken).ConfigureAwait(false);
                if (t is not null)
                {
                    trialStudies[t.Id] = studyId;
                }

                return t;
        }
    }

    private async Task<TrialRecord?> StartTrialMarkingStaleAsync(StudyRecord study, string owner, Guid request, CancellationToken cancellationToken)
    {
        long studyId = study.Id;
        return await RunAsync(
            async (conn, tx, ct) =>
            {
                StudyRow row;
                List<long> orphans = [];
                long? waitingId = null;
                long? sameRequest = null;
                using (NpgsqlBatch batch = Batch(
                    conn,
                    tx,
                    BatchCommand($"SELECT id, {StudyCounters} FROM hpo_studies WHERE id = @s FOR UPDATE", P("s", studyId)),
                    BatchCommand("SELECT id FROM hpo_trials WHERE study_id = @s AND state = 1 AND owner = @o AND start_request = @r", P("s", studyId), P("o", owner), P("r", request)),
                    OrphansCommand(study),
                    BatchCommand(WaitingSql, P("s", studyId))))
                {
                    NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                    row = await ReadStudyRowAsync(r, ct).ConfigureAwait(false) ?? throw NoStudy(studyId);
                    await r.NextResultAsync(ct).ConfigureAwait(false);
                    if (await r.ReadAsync(ct).ConfigureAwait(false))
                    {
                        sameRequest = r.GetInt64(0);
                    }

                    await r.NextResultAsync(ct).ConfigureAwait(false);
                    while (await r.ReadAsync(ct).ConfigureAwait(false))
                    {
                        orphans.Add(r.GetInt64(0));
                    }

                    await r.NextResultAsync(ct).ConfigureAwait(false);
                    if (await r.ReadAsync(ct).ConfigureAwait(false))
                    {
                        waitingId = r.GetInt64(0);
                    }
                }

                if (sameRequest is long already)
                {
                    // Sent again after a lost connection: the first call started this trial.
                    return await ReadTrialAsync(conn, tx, study, "t.id = @id", ct, P("id", already)).ConfigureAwait(false);
                }

                if (orphans.Count > 0)
                {
                    await MarkOrphansStaleAsync(conn, tx, study, row, orphans, ct).ConfigureAwait(false);

                    // Their retries, if any, run before new proposals.
                    using NpgsqlCommand waiting = Command(conn, tx, WaitingSql, P("s", studyId));
                    waitingId = await waiting.ExecuteScalarAsync(ct).ConfigureAwait(false) as long?;
                }

                if (study.Definition.Budget is int budget && row.Counts.Finished + row.Counts.Running >= budget)
                {
                    await WriteStudyRowAsync(conn, tx, studyId, row, ct).ConfigureAwait(false);
                    return null;
                }

                long version = ++row.Version;
                NpgsqlBatchCommand write;
                if (waitingId is long id)
                {
                    write = BatchCommand(
                        $"UPDATE hpo_trials AS t SET state = 1, owner = @o, heartbeat = {NowSql}, started_at = {NowSql}, version = @v, start_request = @r WHERE id = @id RETURNING {TrialColumns}, (SELECT array_agg(v.step ORDER BY v.step) FROM hpo_trial_values v WHERE v.trial_id = t.id), (SELECT array_agg(v.value ORDER BY v.step) FROM hpo_trial_values v WHERE v.trial_id = t.id)",
                        P("o", owner),
                        NowParameter(),
                        P("v", version),
                        P("r", request),
                        P("id", id));
                    row.Counts = row.Counts.Add(TrialState.Waiting, -1).Add(TrialState.Running);
                }
                else
                {
                    write = BatchCommand(
                        $"INSERT INTO hpo_trials AS t (study_id, number, state, created_at, started_at, owner, heartbeat, version, start_request) VALUES (@s, @n, 1, {NowSql}, {NowSql}, @o, {NowSql}, @v, @r) RETURNING {TrialColumns}",
                        P("s", studyId),
                        P("n", row.NextNumber++),
                        NowParameter(),
                        P("o", owner),
                        P("v", version),
                        P("r", request));
                    row.Counts = row.Counts.Add(TrialState.Running);
                }

                using NpgsqlBatch writes = Batch(conn, tx, write, StudyRowCommand(studyId, row));
                NpgsqlDataReader w = await writes.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable wScope = w.ConfigureAwait(false);
                await w.ReadAsync(ct).ConfigureAwait(false);
                return ReadTrial(w, study.Definition.SearchSpace);
            },
            transaction: true,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<TrialRecord> SetTrialParametersAsync(long trialId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        StudyRecord study = await StudyOfTrialAsync(trialId, cancellationToken).ConfigureAwait(false);
        SearchSpace space = study.Definition.SearchSpace;
        string json = StudyDefinitionJson.WriteParameters(space, parameters);
        (int status, TrialRecord? t, _, bool resent) = await CallAsync(
            "SELECT * FROM hpo_set_params(@id, @p, @async)",
            study,
            cancellationToken,
            P("id", trialId),
            P("p", json),
            P("async", grouped)).ConfigureAwait(false);
        IReadOnlyDictionary<string, object> validated = space.Validate(parameters);
        if (status == PostgreSqlSchema.Status.HasParameters && resent && SameParameters(t!.Parameters, validated))
        {
            // Sent again after a lost connection, and the first call had set them.
            return t;
        }

        return status switch
        {
            PostgreSqlSchema.Status.Ok => t! with { Parameters = validated },
            PostgreSqlSchema.Status.Finished => throw StorageGuards.AlreadyFinished(t!, "take parameters"),
            PostgreSqlSchema.Status.HasParameters => throw new InvalidOperationException($"Trial {t!.Number} already has parameters; they are set once."),
            _ => throw NoTrial(trialId),
        };
    }

    /// <inheritdoc/>
    public override async ValueTask ReportIntermediateValueAsync(long trialId, long step, double value, CancellationToken cancellationToken)
    {
        (int status, _, long? studyId, _) = await CallAsync(
            "SELECT * FROM hpo_report(@id, @step, @value, @async)",
            study: null,
            cancellationToken,
            P("id", trialId),
            P("step", step),
            P("value", value),
            P("async", grouped)).ConfigureAwait(false);
        if (status == PostgreSqlSchema.Status.Finished)
        {
            StudyRecord study = await StudyAsync(studyId!.Value, cancellationToken).ConfigureAwait(false);
            TrialRecord t = await RunAsync((conn, tx, ct) => ReadTrialAsync(conn, null, study, "t.id = @id", ct, P("id", trialId)), transaction: false, cancellationToken).ConfigureAwait(false) ?? throw NoTrial(trialId);
            throw StorageGuards.AlreadyFinished(t, "report intermediate values");
        }

        if (status != PostgreSqlSchema.Status.Ok)
        {
            throw NoTrial(trialId);
        }
    }

    /// <inheritdoc/>
    public override ValueTask SetTrialUserAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken) =>
        SetAttributeAsync(trialId, "user_attrs", key, value, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask SetTrialSystemAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken) =>
        SetAttributeAsync(trialId, "system_attrs", key, value, cancellationToken);

    /// <inheritdoc/>
    public override async ValueTask<TrialRecord> FinishTrialAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finish);
        StudyRecord study = await StudyOfTrialAsync(trialId, cancellationToken).ConfigureAwait(false);
        StorageGuards.Finish(finish, study.Definition.Directions.Count);
        TrialRecord done;
        if (finish.RetryAsNewTrial)
        {
            done = await FinishCoreAsync(trialId, finish, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Not cancellable once sent: the result is written or the call fails.
            (int status, TrialRecord? t, _, bool resent) = await CallAsync(
                "SELECT * FROM hpo_finish_trial(@id, @state, @vals, @reason, @type, @now, @async)",
                study,
                cancellationToken,
                [.. FinishParameters(trialId, finish), P("async", grouped)]).ConfigureAwait(false);
            done = status switch
            {
                PostgreSqlSchema.Status.Ok => t!,

                // Sent again after a lost connection, and the first call had recorded this very result.
                PostgreSqlSchema.Status.Finished when resent && SameFinish(t!, finish) => t!,
                PostgreSqlSchema.Status.Finished => throw StorageGuards.AlreadyFinished(t!, "finish again"),
                _ => throw NoTrial(trialId),
            };
        }

        trialStudies.TryRemove(trialId, out _);
        return done;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One round trip. With <see cref="PostgreSqlDurability.Full"/>, two transactions: the request is recorded (a synchronous commit
    /// that locks nothing shared), then the worker that takes the study's free advisory lock does every request recorded so far in one
    /// transaction, whose one commit (and flush) serves them all; the others wait for that commit in shared mode, all waking at once,
    /// and return if theirs was done (or lead the next group). With <see cref="PostgreSqlDurability.Grouped"/>, the
    /// finish and start commit asynchronously in one function call, followed by the flush. When the study
    /// has parameters to propose and the started trial has none, the start reserves a version for them, so that
    /// <see cref="SetTrialParametersAsync"/> then locks only the trial's row; incremental reads (<see cref="GetTrialsAsync(long, long, CancellationToken)"/>)
    /// return a version below that reservation until the parameters are set or the trial finishes.
    /// </remarks>
    public override async ValueTask<FinishAndStartResult> FinishAndStartTrialAsync(long trialId, TrialFinish finish, long studyId, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finish);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        StudyRecord study = await StudyOfTrialAsync(trialId, cancellationToken).ConfigureAwait(false);
        StorageGuards.Finish(finish, study.Definition.Directions.Count);
        if (finish.RetryAsNewTrial || study.Id != studyId)
        {
            return await base.FinishAndStartTrialAsync(trialId, finish, studyId, owner, cancellationToken).ConfigureAwait(false);
        }

        // Identifies the start, so that sending the call again after a lost connection cannot start a second trial.
        var request = Guid.NewGuid();
        int calls = 0;
        List<(int Status, TrialRecord? Trial)> rows = await RunAsync(
            async (conn, tx, ct) =>
            {
                calls++;

                using var batch = new NpgsqlBatch(conn);
                if (grouped)
                {
                    // The locks go with the asynchronous commit, before the flush: no need to group the requests.
                    var call = new NpgsqlBatchCommand("SELECT * FROM hpo_finish_and_start(@id, @state, @vals, @reason, @type, @now, @o, @lease, @budget, @request, @reserve, true)") { AppendErrorBarrier = true };
                    call.Parameters.AddRange(RequestParameters());
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT NULL"));
                    batch.BatchCommands.Add(call);
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT txid_current()"));
                }
                else
                {
                    // Two transactions in one round trip: the request is recorded (a commit that locks nothing), then done with every
                    // other request recorded meanwhile, by whichever worker gets the study first.
                    var record = new NpgsqlBatchCommand("SELECT hpo_request_finish_and_start(@request, @s, @id, @state, @vals, @reason, @type, @now, @o, @lease, @budget, @reserve, false)") { AppendErrorBarrier = true };
                    record.Parameters.AddRange(RequestParameters());
                    record.Parameters.Add(P("s", studyId));
                    var process = new NpgsqlBatchCommand("SELECT * FROM hpo_process_pending(@s, @request, false)");
                    process.Parameters.AddRange(new NpgsqlParameter[] { P("s", studyId), P("request", request) });
                    batch.BatchCommands.Add(record);
                    batch.BatchCommands.Add(process);
                }

                NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                }

                await r.NextResultAsync(ct).ConfigureAwait(false);
                var list = new List<(int, TrialRecord?)>(2);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    list.Add((r.GetInt32(0), r.IsDBNull(2) ? null : ReadTrial(r, study.Definition.SearchSpace, offset: 2)));
                }

                await FlushedAsync(r, ct).ConfigureAwait(false);
                AfterWrite?.Invoke("finish-and-start");
                return list;
            },
            transaction: false,
            CancellationToken.None).ConfigureAwait(false);

        (int status, TrialRecord? done) = rows.Count > 0 ? rows[0] : (PostgreSqlSchema.Status.NotFound, null);
        switch (status)
        {
            case PostgreSqlSchema.Status.Ok:
                break;
            case PostgreSqlSchema.Status.Finished when calls > 1 && SameFinish(done!, finish):
                // Sent again after a lost connection, and the first call had recorded this very result (and started the trial
                // returned next, if it started one).
                break;
            case PostgreSqlSchema.Status.Finished:
                throw StorageGuards.AlreadyFinished(done!, "finish again");
            default:
                throw NoTrial(trialId);
        }

        trialStudies.TryRemove(trialId, out _);
        TrialRecord? next;
        if (rows.Count > 1 && rows[1] is (PostgreSqlSchema.Status.Ok, TrialRecord started))
        {
            next = started;
            trialStudies[next.Id] = studyId;
        }
        else if (rows.Count > 1 && rows[1].Status == PostgreSqlSchema.Status.BudgetFull)
        {
            next = null;
        }
        else
        {
            // Leases expired (marking them stale is the ordinary start's work), or a resent call whose first start is unknown.
            next = await StartTrialAsync(studyId, owner, cancellationToken).ConfigureAwait(false);
        }

        return new FinishAndStartResult(done!, next);

        // The finish and the start it asks for, as both paths send them (fresh instances: a parameter belongs to one command).
        NpgsqlParameter[] RequestParameters() =>
        [
            .. FinishParameters(trialId, finish),
            P("o", owner),
            P("lease", study.Definition.Lease),
            new NpgsqlParameter("budget", NpgsqlDbType.Integer) { Value = (object?)study.Definition.Budget ?? DBNull.Value },
            P("request", request),
            P("reserve", study.Definition.SearchSpace.Count > 0),
        ];
    }

    /// <summary>The parameters of a trial's finish (<c>@id, @state, @vals, @reason, @type, @now</c>), as the finishing functions take them.</summary>
    private NpgsqlParameter[] FinishParameters(long trialId, TrialFinish finish) =>
    [
        P("id", trialId),
        P("state", (short)finish.State),
        P("vals", finish.Values.ToArray()),
        new NpgsqlParameter("reason", NpgsqlDbType.Text) { Value = (object?)finish.FailReason ?? DBNull.Value },
        new NpgsqlParameter("type", NpgsqlDbType.Text) { Value = (object?)finish.ExceptionType ?? DBNull.Value },
        NowParameter(),
    ];

    private async Task<TrialRecord> FinishCoreAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken)
    {
        int calls = 0;
        return await RunAsync(
            async (conn, tx, ct) =>
            {
                calls++;
                (StudyRecord study, StudyRow row, TrialRecord t) = await LockTrialAsync(conn, tx, trialId, ct).ConfigureAwait(false);
                StorageGuards.Finish(finish, study.Definition.Directions.Count);
                if (t.IsFinished)
                {
                    // Sent again after a lost connection, and the first attempt had committed this very result.
                    return calls > 1 && SameFinish(t, finish) ? t : throw StorageGuards.AlreadyFinished(t, "finish again");
                }

                long version = ++row.Version;
                row.Counts = row.Counts.Add(t.State, -1).Add(finish.State);
                DateTimeOffset finishedAt, startedAt;
                using (NpgsqlBatch batch = Batch(
                    conn,
                    tx,
                    BatchCommand(
                        $"UPDATE hpo_trials SET state = @state, vals = @vals, fail_reason = @reason, exception_type = @type, finished_at = {NowSql}, started_at = COALESCE(started_at, {NowSql}), version = @v, params_version = NULL WHERE id = @id RETURNING finished_at, started_at",
                        P("state", (short)finish.State),
                        P("vals", finish.Values.ToArray()),
                        P("reason", finish.FailReason),
                        P("type", finish.ExceptionType),
                        NowParameter(),
                        P("v", version),
                        P("id", trialId)),
                    StudyRowCommand(study.Id, row)))
                {
                    NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                    await r.ReadAsync(ct).ConfigureAwait(false);
                    finishedAt = r.GetFieldValue<DateTimeOffset>(0);
                    startedAt = r.GetFieldValue<DateTimeOffset>(1);
                }

                if (finish.RetryAsNewTrial)
                {
                    await EnqueueRetryAsync(conn, tx, row, t, ct).ConfigureAwait(false);
                    await WriteStudyRowAsync(conn, tx, study.Id, row, ct).ConfigureAwait(false);
                }

                return t with
                {
                    State = finish.State,
                    Values = [.. finish.Values],
                    FailReason = finish.FailReason,
                    ExceptionType = finish.ExceptionType,
                    FinishedAt = finishedAt,
                    StartedAt = startedAt,
                };
            },
            transaction: true,
            cancellationToken,
            durable: true).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<int> RenewHeartbeatsAsync(long studyId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return await RunAsync(
            async (conn, tx, ct) =>
            {
                // Rows are locked in id order, as the lease sweep locks them, so that the two never deadlock.
                using NpgsqlCommand cmd = Command(
                    conn,
                    tx,
                    $"""
                    UPDATE hpo_trials SET heartbeat = {NowSql}
                    WHERE id IN (SELECT id FROM hpo_trials WHERE study_id = @s AND state = 1 AND owner = @o ORDER BY id FOR UPDATE)
                    AND state = 1
                    """,
                    NowParameter(),
                    P("s", studyId),
                    P("o", owner));
                return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<IReadOnlyList<TrialRecord>> FailOrphanedTrialsAsync(long studyId, CancellationToken cancellationToken)
    {
        StudyRecord study = await StudyAsync(studyId, cancellationToken).ConfigureAwait(false);
        return await RunAsync<IReadOnlyList<TrialRecord>>(
            async (conn, tx, ct) =>
            {
                StudyRow row;
                var orphans = new List<long>();
                using (NpgsqlBatch batch = Batch(
                    conn,
                    tx,
                    BatchCommand($"SELECT id, {StudyCounters} FROM hpo_studies WHERE id = @s FOR UPDATE", P("s", studyId)),
                    OrphansCommand(study)))
                {
                    NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                    row = await ReadStudyRowAsync(r, ct).ConfigureAwait(false) ?? throw NoStudy(studyId);
                    await r.NextResultAsync(ct).ConfigureAwait(false);
                    while (await r.ReadAsync(ct).ConfigureAwait(false))
                    {
                        orphans.Add(r.GetInt64(0));
                    }
                }

                if (orphans.Count == 0)
                {
                    return [];
                }

                List<TrialRecord> failed = await MarkOrphansStaleAsync(conn, tx, study, row, orphans, ct).ConfigureAwait(false);
                await WriteStudyRowAsync(conn, tx, studyId, row, ct).ConfigureAwait(false);
                return failed;
            },
            transaction: true,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<TrialRecord?> FailAbandonedTrialAsync(long trialId, string owner, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return await RunAsync(
            async (conn, tx, ct) =>
            {
                (StudyRecord study, StudyRow row, TrialRecord t) = await LockTrialAsync(conn, tx, trialId, ct).ConfigureAwait(false);
                if (t.State != TrialState.Running || t.Owner != owner)
                {
                    return null;
                }

                TrialRecord stale = await MarkStaleAsync(conn, tx, study, row, t, reason, ct).ConfigureAwait(false);
                await WriteStudyRowAsync(conn, tx, study.Id, row, ct).ConfigureAwait(false);
                return (TrialRecord?)stale;
            },
            transaction: true,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<TrialChanges> GetTrialsAsync(long studyId, long sinceVersion, CancellationToken cancellationToken)
    {
        StudyRecord study = await StudyAsync(studyId, cancellationToken).ConfigureAwait(false);
        return await RunAsync(
            async (conn, tx, ct) =>
            {
                // One statement is one snapshot: the version and the rows agree. Rows have versions from 1 up, so 0 reads them all. The
                // version returned stays below the lowest version reserved for parameters still to be set (see FinishAndStartTrialAsync),
                // so that the next read finds them.
                using NpgsqlCommand cmd = Command(
                    conn,
                    null,
                    $"""
                    SELECT LEAST(s.version, (SELECT MIN(p.params_version) - 1 FROM hpo_trials p WHERE p.study_id = s.id AND p.state = 1 AND p.params_version IS NOT NULL)), x.*
                    FROM hpo_studies s
                    LEFT JOIN LATERAL ({TrialSelect} WHERE t.study_id = s.id AND t.version > @since) x ON true
                    WHERE s.id = @s
                    ORDER BY x.number
                    """,
                    P("s", studyId),
                    P("since", sinceVersion));
                NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                long? version = null;
                var list = new List<TrialRecord>();
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    version = r.GetInt64(0);
                    if (!r.IsDBNull(1))
                    {
                        list.Add(ReadTrial(r, study.Definition.SearchSpace, offset: 1));
                    }
                }

                return version is long v ? new TrialChanges(list, v) : throw NoStudy(studyId);
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<TrialRecord?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken)
    {
        StudyRecord study = await StudyAsync(studyId, cancellationToken).ConfigureAwait(false);
        return await RunAsync(
            (conn, tx, ct) => ReadTrialAsync(conn, null, study, "t.study_id = @s AND t.number = @n", ct, P("s", studyId), P("n", number)),
            transaction: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<TrialCounts> GetTrialCountsAsync(long studyId, CancellationToken cancellationToken) =>
        await RunAsync(
            async (conn, tx, ct) =>
            {
                using NpgsqlCommand cmd = Command(conn, null, $"SELECT id, {StudyCounters} FROM hpo_studies WHERE id = @s", P("s", studyId));
                NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                StudyRow? row = await ReadStudyRowAsync(r, ct).ConfigureAwait(false);
                return row?.Counts ?? throw NoStudy(studyId);
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public override async ValueTask<TrialRecord?> GetBestTrialAsync(long studyId, CancellationToken cancellationToken)
    {
        StudyRecord study = await StudyAsync(studyId, cancellationToken).ConfigureAwait(false);
        string order = study.Definition.Direction == Hpo.StudyDirection.Minimize ? "ASC" : "DESC";
        return await RunAsync(
            (conn, tx, ct) => ReadTrialAsync(conn, null, study, $"t.study_id = @s AND t.state = 2 ORDER BY t.vals[1] {order}, t.number ASC LIMIT 1", ct, P("s", studyId)),
            transaction: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async ValueTask DisposeAsyncCore()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            if (ownsDataSource)
            {
                await dataSource.DisposeAsync().ConfigureAwait(false);
            }

            schemaLock.Dispose();
        }
    }

    /// <summary>Takes Hpo's own URL option <c>durability=full|grouped</c> (see <see cref="PostgreSqlDurability"/>) out of a URL.</summary>
    private static PostgreSqlDurability? TakeDurability(ref string url)
    {
        int q = url.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return null;
        }

        PostgreSqlDurability? found = null;
        var kept = new List<string>();
        foreach (string pair in url[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith("durability=", StringComparison.OrdinalIgnoreCase))
            {
                string value = pair["durability=".Length..];
                found = Enum.TryParse(value, ignoreCase: true, out PostgreSqlDurability d) && Enum.IsDefined(d) && !int.TryParse(value, out _)
                    ? d
                    : throw new ArgumentException($"durability must be full or grouped, but got '{value}' in '{PostgreSqlUrl.Redact(url)}'.", nameof(url));
            }
            else
            {
                kept.Add(pair);
            }
        }

        url = kept.Count == 0 ? url[..q] : url[..(q + 1)] + string.Join('&', kept);
        return found;
    }

    private static NpgsqlParameter P(string name, object? value) => new(name, value ?? DBNull.Value);

    private static NpgsqlCommand Command(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    private static NpgsqlBatch Batch(NpgsqlConnection conn, NpgsqlTransaction? tx, params NpgsqlBatchCommand[] commands)
    {
        var batch = new NpgsqlBatch(conn, tx);
        foreach (NpgsqlBatchCommand c in commands)
        {
            batch.BatchCommands.Add(c);
        }

        return batch;
    }

    private static NpgsqlBatchCommand StudyRowCommand(long studyId, StudyRow row) => BatchCommand(
        "UPDATE hpo_studies SET version = @v, next_number = @n, n_waiting = @w, n_running = @r, n_complete = @c, n_pruned = @p, n_failed = @f, n_stale = @x WHERE id = @s",
        P("v", row.Version),
        P("n", row.NextNumber),
        P("w", row.Counts.Waiting),
        P("r", row.Counts.Running),
        P("c", row.Counts.Complete),
        P("p", row.Counts.Pruned),
        P("f", row.Counts.Failed),
        P("x", row.Counts.Stale),
        P("s", studyId));

    private static async Task WriteStudyRowAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long studyId, StudyRow row, CancellationToken ct)
    {
        if (!row.Changed)
        {
            return;
        }

        using NpgsqlBatch batch = Batch(conn, tx, StudyRowCommand(studyId, row));
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Reads a study row's counters (after a leading study id column) from the current result.</summary>
    private static async Task<StudyRow?> ReadStudyRowAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        if (!await r.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        var row = new StudyRow(r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), new TrialCounts(r.GetInt32(3), r.GetInt32(4), r.GetInt32(5), r.GetInt32(6), r.GetInt32(7)) { Stale = r.GetInt32(8) });

        // Drain the result so that the reader can move to the next one.
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
        }

        return row;
    }

    private static StudyRecord ReadStudy(NpgsqlDataReader r) =>
        new(r.GetInt64(0), StudyDefinition.FromJson(r.GetString(1)), r.GetFieldValue<DateTimeOffset>(2));

    private static TrialRecord ReadTrial(NpgsqlDataReader r, SearchSpace space, int offset = 0)
    {
        var t = new TrialRecord
        {
            Id = r.GetInt64(offset),
            Number = r.GetInt32(offset + 1),
            State = (TrialState)r.GetInt16(offset + 2),
            Parameters = StudyDefinitionJson.ReadParameters(space, r.GetString(offset + 3)),
            Values = r.GetFieldValue<double[]>(offset + 4),
            UserAttributes = StudyDefinitionJson.ReadAttributes(r.GetString(offset + 5)),
            SystemAttributes = StudyDefinitionJson.ReadAttributes(r.GetString(offset + 6)),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(offset + 7),
            StartedAt = Time(r, offset + 8),
            FinishedAt = Time(r, offset + 9),
            Owner = Text(r, offset + 10),
            Heartbeat = Time(r, offset + 11),
            FailReason = Text(r, offset + 12),
            ExceptionType = Text(r, offset + 13),
        };

        if (r.FieldCount >= offset + 16 && !r.IsDBNull(offset + 14))
        {
            long[] steps = r.GetFieldValue<long[]>(offset + 14);
            double[] values = r.GetFieldValue<double[]>(offset + 15);
            ImmutableSortedDictionary<long, double>.Builder b = ImmutableSortedDictionary.CreateBuilder<long, double>();
            for (int i = 0; i < steps.Length; i++)
            {
                b[steps[i]] = values[i];
            }

            t = t with { IntermediateValues = b.ToImmutable() };
        }

        return t;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static bool IsTransient(NpgsqlException e) =>
        e.IsTransient || e.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException
        || e is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow };

    private static bool IsDeadlock(NpgsqlException e) => e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    private InvalidOperationException NoStudy(long studyId) => new($"There is no study with id {studyId} in the {Description} (was it deleted?).");

    private NpgsqlParameter NowParameter() => new("now", NpgsqlDbType.TimestampTz) { Value = timeProvider is null ? DBNull.Value : timeProvider.GetUtcNow() };

    /// <summary>Selects the running trials of a study whose lease expired, locking them in id order.</summary>
    private NpgsqlBatchCommand OrphansCommand(StudyRecord study) => BatchCommand(
        "SELECT id FROM hpo_trials WHERE study_id = @s AND state = 1 AND heartbeat < hpo_lease_cutoff(@now, @lease) ORDER BY id FOR UPDATE",
        P("s", study.Id),
        NowParameter(),
        P("lease", study.Definition.Lease));

    private async Task<List<TrialRecord>> MarkOrphansStaleAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, StudyRecord study, StudyRow row, List<long> ids, CancellationToken ct)
    {
        var failed = new List<TrialRecord>();
        foreach (long id in ids)
        {
            TrialRecord t = await ReadTrialAsync(conn, tx, study, "t.id = @id", ct, P("id", id)).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Trial id {id} vanished while locked.");
            failed.Add(await MarkStaleAsync(conn, tx, study, row, t, StorageGuards.StaleReason(t, study.Definition.Lease), ct).ConfigureAwait(false));
        }

        return failed;
    }

    /// <summary>Records a running trial as stale and, if the study's retry policy says so, enqueues its retry.</summary>
    private async Task<TrialRecord> MarkStaleAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, StudyRecord study, StudyRow row, TrialRecord t, string reason, CancellationToken ct)
    {
        long version = ++row.Version;
        row.Counts = row.Counts.Add(TrialState.Running, -1).Add(TrialState.Stale);
        DateTime finishedAt;
        using (NpgsqlCommand cmd = Command(
            conn,
            tx,
            $"UPDATE hpo_trials SET state = 5, fail_reason = @r, finished_at = {NowSql}, version = @v, params_version = NULL WHERE id = @id RETURNING finished_at",
            P("r", reason),
            NowParameter(),
            P("v", version),
            P("id", t.Id)))
        {
            finishedAt = (DateTime)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }

        if (StorageGuards.RetriesLostWorker(study.Definition, t))
        {
            await EnqueueRetryAsync(conn, tx, row, t, ct).ConfigureAwait(false);
        }

        return t with { State = TrialState.Stale, FailReason = reason, FinishedAt = new DateTimeOffset(finishedAt, TimeSpan.Zero) };
    }

    /// <summary>Enqueues a waiting copy of a trial (parameters, intermediate values, attributes) that records its origin.</summary>
    private async Task EnqueueRetryAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, StudyRow row, TrialRecord t, CancellationToken ct)
    {
        long version = ++row.Version;
        row.Counts = row.Counts.Add(TrialState.Waiting);
        using NpgsqlCommand cmd = Command(
            conn,
            tx,
            $"""
            WITH n AS (
                INSERT INTO hpo_trials (study_id, number, state, params, user_attrs, system_attrs, created_at, version)
                SELECT study_id, @n, 0, params, user_attrs, @a::jsonb, {NowSql}, @v FROM hpo_trials WHERE id = @old
                RETURNING id)
            INSERT INTO hpo_trial_values (trial_id, step, value) SELECT n.id, v.step, v.value FROM n, hpo_trial_values v WHERE v.trial_id = @old
            """,
            P("n", row.NextNumber++),
            P("a", StudyDefinitionJson.WriteAttributes(StorageGuards.RetrySystemAttributes(t))),
            NowParameter(),
            P("v", version),
            P("old", t.Id));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Locks the study row of a trial, then reads the trial as it stands under that lock.</summary>
    private async Task<(StudyRecord Study, StudyRow Row, TrialRecord Trial)> LockTrialAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long trialId, CancellationToken ct)
    {
        StudyRow row;
        using (NpgsqlCommand cmd = Command(conn, tx, $"SELECT id, {StudyCounters} FROM hpo_studies WHERE id = (SELECT study_id FROM hpo_trials WHERE id = @id) FOR UPDATE", P("id", trialId)))
        {
            NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
            row = await ReadStudyRowAsync(r, ct).ConfigureAwait(false) ?? throw NoTrial(trialId);
        }

        StudyRecord study = await StudyAsync(conn, row.StudyId, ct).ConfigureAwait(false);
        TrialRecord t = await ReadTrialAsync(conn, tx, study, "t.id = @id", ct, P("id", trialId)).ConfigureAwait(false) ?? throw NoTrial(trialId);
        return (study, row, t);
    }

    /// <summary>Locks the study row of a trial and checks that the trial is unfinished, reading the full trial only to explain a refusal.</summary>
    private async Task<(long StudyId, StudyRow Row)> LockUnfinishedTrialAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long trialId, string action, CancellationToken ct)
    {
        StudyRow row;
        TrialState state;
        using (NpgsqlBatch batch = Batch(
            conn,
            tx,
            BatchCommand($"SELECT id, {StudyCounters} FROM hpo_studies WHERE id = (SELECT study_id FROM hpo_trials WHERE id = @id) FOR UPDATE", P("id", trialId)),
            BatchCommand("SELECT state FROM hpo_trials WHERE id = @id", P("id", trialId))))
        {
            NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
            row = await ReadStudyRowAsync(r, ct).ConfigureAwait(false) ?? throw NoTrial(trialId);
            await r.NextResultAsync(ct).ConfigureAwait(false);
            state = await r.ReadAsync(ct).ConfigureAwait(false) ? (TrialState)r.GetInt16(0) : throw NoTrial(trialId);
        }

        if (state.IsFinished())
        {
            StudyRecord study = await StudyAsync(conn, row.StudyId, ct).ConfigureAwait(false);
            TrialRecord t = await ReadTrialAsync(conn, tx, study, "t.id = @id", ct, P("id", trialId)).ConfigureAwait(false) ?? throw NoTrial(trialId);
            throw StorageGuards.AlreadyFinished(t, action);
        }

        return (row.StudyId, row);
    }

    private async ValueTask SetAttributeAsync(long trialId, string column, string key, string value, CancellationToken cancellationToken)
    {
        StorageGuards.AttributeKey(key);
        ArgumentNullException.ThrowIfNull(value);
        await RunAsync(
            async (conn, tx, ct) =>
            {
                (long studyId, StudyRow row) = await LockUnfinishedTrialAsync(conn, tx, trialId, "change its attributes", ct).ConfigureAwait(false);
                long version = ++row.Version;
                using NpgsqlBatch batch = Batch(
                    conn,
                    tx,
                    BatchCommand($"UPDATE hpo_trials SET {column} = {column} || jsonb_build_object(@k::text, @val::text), version = @v WHERE id = @id", P("k", key), P("val", value), P("v", version), P("id", trialId)),
                    StudyRowCommand(studyId, row));
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return true;
            },
            transaction: true,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<TrialRecord?> ReadTrialAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, StudyRecord study, string where, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        using NpgsqlCommand cmd = Command(conn, tx, $"{TrialSelect} WHERE {where}", parameters);
        NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) ? ReadTrial(r, study.Definition.SearchSpace) : null;
    }

    private async Task<StudyRecord?> ReadStudyAsync(NpgsqlConnection conn, string where, NpgsqlParameter parameter, CancellationToken ct)
    {
        using NpgsqlCommand cmd = Command(conn, null, $"SELECT id, definition, created_at FROM hpo_studies WHERE {where}", parameter);
        NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        StudyRecord study = ReadStudy(r);
        studies[study.Id] = study;
        return study;
    }

    /// <summary>
    /// Calls one of the schema's trial functions (one round trip, committed when it returns) and reads its status, the trial's
    /// study and, when the function returned one and <paramref name="study"/> is known, the trial.
    /// </summary>
    /// <remarks>Every function is safe to send again after a lost connection; <c>Resent</c> tells the caller that it was.</remarks>
    private async Task<(int Status, TrialRecord? Trial, long? StudyId, bool Resent)> CallAsync(string sql, StudyRecord? study, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        int calls = 0;
        (int status, TrialRecord? trial, long? studyId) = await RunAsync(
            async (conn, tx, ct) =>
            {
                calls++;
                using NpgsqlCommand cmd = Command(conn, null, sql, [.. parameters.Select(p => p.Clone())]);
                using NpgsqlBatch batch = FunctionBatch(cmd);
                NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                if (!await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"The PostgreSQL function in '{sql}' returned no row.");
                }

                int status = r.GetInt32(0);
                long? studyId = r.IsDBNull(1) ? null : r.GetInt64(1);
                TrialRecord? t = study is not null && !r.IsDBNull(2) ? ReadTrial(r, study.Definition.SearchSpace, offset: 2) : null;
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                }

                await FlushedAsync(r, ct).ConfigureAwait(false);
                AfterWrite?.Invoke(sql);
                return (status, t, studyId);
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);
        return (status, trial, studyId, calls > 1);
    }

    /// <summary>
    /// The batch that calls a trial function: the call alone, or with <see cref="PostgreSqlDurability.Grouped"/> the call (committed on
    /// its own, asynchronously, by the error barrier after it) followed in the same round trip by a transaction that only takes a
    /// transaction id: its synchronous commit waits for the log to reach the disk up to it, and so past the call's commit.
    /// </summary>
    private NpgsqlBatch FunctionBatch(NpgsqlCommand call)
    {
        var batch = new NpgsqlBatch(call.Connection);
        var first = new NpgsqlBatchCommand(call.CommandText) { AppendErrorBarrier = grouped ? true : null };
        foreach (NpgsqlParameter p in call.Parameters.ToArray())
        {
            call.Parameters.Remove(p);
            first.Parameters.Add(p);
        }

        batch.BatchCommands.Add(first);
        if (grouped)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT txid_current()"));
        }

        return batch;
    }

    /// <summary>Reads past the flush of a <see cref="FunctionBatch(NpgsqlCommand)"/>, so that its errors surface here.</summary>
    private async Task FlushedAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        if (grouped)
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
            }
        }
    }

    private static bool SameParameters(IReadOnlyDictionary<string, object> stored, IReadOnlyDictionary<string, object> wanted) =>
        stored.Count == wanted.Count && wanted.All(kv => stored.TryGetValue(kv.Key, out object? v) && Equals(v, kv.Value));

    private static bool SameFinish(TrialRecord stored, TrialFinish finish) =>
        stored.State == finish.State && stored.Values.SequenceEqual(finish.Values) && stored.FailReason == finish.FailReason && stored.ExceptionType == finish.ExceptionType;

    /// <summary>Gets the study of a trial: remembered for the trials this instance started or enqueued, read otherwise.</summary>
    private async ValueTask<StudyRecord> StudyOfTrialAsync(long trialId, CancellationToken cancellationToken)
    {
        if (!trialStudies.TryGetValue(trialId, out long studyId))
        {
            object? found = await RunAsync(
                async (conn, tx, ct) =>
                {
                    using NpgsqlCommand cmd = Command(conn, null, "SELECT study_id FROM hpo_trials WHERE id = @id", P("id", trialId));
                    return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
                },
                transaction: false,
                cancellationToken).ConfigureAwait(false);
            studyId = found is long id ? id : throw NoTrial(trialId);
        }

        return await StudyAsync(studyId, cancellationToken).ConfigureAwait(false);
    }

    private InvalidOperationException NoTrial(long trialId) => new($"There is no trial with id {trialId} in the {Description}.");

    /// <summary>Gets a study's record (definitions never change, so they are cached), reading it on a connection already open.</summary>
    private async Task<StudyRecord> StudyAsync(NpgsqlConnection conn, long studyId, CancellationToken ct) =>
        studies.TryGetValue(studyId, out StudyRecord? s)
            ? s
            : await ReadStudyAsync(conn, "id = @id", P("id", studyId), ct).ConfigureAwait(false) ?? throw NoStudy(studyId);

    private async ValueTask<StudyRecord> StudyAsync(long studyId, CancellationToken cancellationToken) =>
        studies.TryGetValue(studyId, out StudyRecord? s)
            ? s
            : await RunAsync((conn, tx, ct) => StudyAsync(conn, studyId, ct), transaction: false, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs work on a pooled connection, in a transaction when asked (committed when the work returns, rolled back when it throws),
    /// running it again after a deadlock, and wrapping provider errors in <see cref="StorageException"/>.
    /// </summary>
    /// <remarks>
    /// A transient failure (a lost connection, a database restarting or refusing connections, a timeout) is retried with
    /// exponential backoff for up to <see cref="PostgreSqlStudyStorageOptions.TransientRetryTimeout"/> when
    /// <paramref name="retryTransient"/> is set: only for work that is safe to run again after an unknown outcome.
    /// </remarks>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction?, CancellationToken, Task<T>> work, bool transaction, CancellationToken cancellationToken, bool retryTransient = true, bool durable = false)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        int transient = 0;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
                NpgsqlConnection conn = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (conn.ConfigureAwait(false))
                {
                    if (!transaction)
                    {
                        return await work(conn, null, cancellationToken).ConfigureAwait(false);
                    }

                    NpgsqlTransaction tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await using (tx.ConfigureAwait(false))
                    {
                        if (grouped && !durable)
                        {
                            // Before any lock is taken: the commit then releases the study row without waiting for the disk.
                            using NpgsqlCommand off = Command(conn, tx, "SET LOCAL synchronous_commit TO OFF");
                            await off.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }

                        T result = await work(conn, tx, cancellationToken).ConfigureAwait(false);

                        // Not cancellable: once the work is done, its result is committed or the call fails.
                        await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                        if (grouped && !durable)
                        {
                            // The commit was asynchronous: wait for the disk, outside the transaction's locks.
                            using NpgsqlCommand flush = Command(conn, null, "SELECT txid_current()");
                            await flush.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                        }

                        return result;
                    }
                }
            }
            catch (NpgsqlException e) when (IsDeadlock(e) && attempt < deadlockRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * (attempt + 1)), cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (retryTransient && IsTransient(e) && !cancellationToken.IsCancellationRequested
                && System.Diagnostics.Stopwatch.GetElapsedTime(started) < transientRetryTimeout)
            {
                // 50 ms, 100 ms, 200 ms, … up to 5 s, with jitter so that many workers do not reconnect in step.
                double ms = Math.Min(5000, 50 * Math.Pow(2, Math.Min(transient++, 10)));
                await Task.Delay(TimeSpan.FromMilliseconds(ms * (0.5 + (Random.Shared.NextDouble() / 2))), cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested || e.InnerException is not OperationCanceledException)
            {
                throw new StorageException($"The {Description} failed: {e.Message}", e);
            }
        }
    }

    private async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (schemaReady)
        {
            return;
        }

        await schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (schemaReady)
            {
                return;
            }

            NpgsqlConnection conn = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (conn.ConfigureAwait(false))
            {
                if (!migrateSchema)
                {
                    await CheckSchemaWithoutMigratingAsync(conn, cancellationToken).ConfigureAwait(false);
                    schemaReady = true;
                    return;
                }

                NpgsqlTransaction tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (tx.ConfigureAwait(false))
                {
                    // Workers that start at once queue here; the first creates the schema, the others find it.
                    using (NpgsqlCommand cmd = Command(conn, tx, "SELECT pg_advisory_xact_lock(@key); CREATE TABLE IF NOT EXISTS hpo_schema (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", P("key", PostgreSqlSchema.AdvisoryLockKey)))
                    {
                        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    int current;
                    using (NpgsqlCommand cmd = Command(conn, tx, "SELECT COALESCE(MAX(version), 0) FROM hpo_schema"))
                    {
                        current = (int)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                    }

                    if (current > PostgreSqlSchema.Version)
                    {
                        throw new StorageException($"The {Description} uses Hpo schema version {current}, which is newer than this Hpo understands ({PostgreSqlSchema.Version}). Upgrade Hpo to open it.");
                    }

                    for (int v = current; v < PostgreSqlSchema.Version; v++)
                    {
                        using NpgsqlCommand migrate = Command(conn, tx, PostgreSqlSchema.Migrations[v] + "; INSERT INTO hpo_schema (version) VALUES (@v)", P("v", v + 1));
                        await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            schemaReady = true;
        }
        finally
        {
            schemaLock.Release();
        }
    }

    /// <summary>For a reader: the schema must exist and be this release's; nothing is created, upgraded or locked.</summary>
    private async ValueTask CheckSchemaWithoutMigratingAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        using NpgsqlCommand exists = Command(conn, null, "SELECT to_regclass('hpo_schema') IS NOT NULL");
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            throw new StorageException($"The {Description} holds no Hpo schema, and this storage was opened without migrating (a reader never creates one). Create a study in it first (hpo create, or a worker).");
        }

        using NpgsqlCommand cmd = Command(conn, null, "SELECT COALESCE(MAX(version), 0) FROM hpo_schema");
        int current = (int)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (current > PostgreSqlSchema.Version)
        {
            throw new StorageException($"The {Description} uses Hpo schema version {current}, which is newer than this Hpo understands ({PostgreSqlSchema.Version}). Upgrade Hpo to open it.");
        }

        if (current < PostgreSqlSchema.Version)
        {
            throw new StorageException($"The {Description} uses Hpo schema version {current}; this Hpo reads version {PostgreSqlSchema.Version}, and a reader does not upgrade a database under the workers that may still use it. Use the Hpo release that wrote it, or let a writer of this release (a worker, hpo create) upgrade it once the old workers are stopped.");
        }
    }

    /// <summary>A study row as locked by a transaction: the counters the transaction updates and writes back before it commits.</summary>
    private sealed class StudyRow(long studyId, long version, int nextNumber, TrialCounts counts)
    {
        private readonly long originalVersion = version;

        public long StudyId { get; } = studyId;

        public long Version { get; set; } = version;

        public int NextNumber { get; set; } = nextNumber;

        public TrialCounts Counts { get; set; } = counts;

        public bool Changed => Version != originalVersion;
    }
}
