using System.Collections.Concurrent;
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
/// A plain start looks for expired leases every time; a finish-and-start (<see cref="FinishAndStartTrialAsync"/>) at most every
/// eighth of the lease per study, so that a lost worker's trial may stay running up to an eighth of a lease past its lease.
/// </para>
/// <para>
/// <b>Cost.</b> Per-trial work does not grow with the study: counters live in the study row, partial indexes find the oldest waiting
/// trial, the expired leases and the best trial, and <see cref="GetTrialsAsync(long, long, CancellationToken)"/> reads only the trials
/// whose version changed (an index on it). Starting a trial, setting its parameters, reporting a value and finishing it are each one
/// call of a server-side function (one round trip), so the study row is locked only while the server works. Those functions are an
/// optimisation of <see cref="Storage.Providers.TrialLifecycle"/>'s rules; the cases they leave to the client (expired leases,
/// retries, hand-back) run the lifecycle's operations themselves in one transaction.
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
/// <b>URLs.</b> Storage registries (<c>Hpo.Registries.StorageRegistry</c>) open <c>postgresql://</c> and <c>postgres://</c> URLs
/// with this storage once this package is deployed (see <see cref="PostgreSqlStorageProvider"/>).
/// </para>
/// </remarks>
public sealed partial class PostgreSqlStudyStorage : StudyStorageBase
{
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
        options = options.Clone();
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
        if (ClientSideRules)
        {
            return Remember(await StartClientSideAsync(study, owner, request, cancellationToken).ConfigureAwait(false));
        }

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
                // Leases expired: the lifecycle's start marks them stale (and enqueues their retries) under the same lock.
                return Remember(await StartClientSideAsync(study, owner, request, cancellationToken).ConfigureAwait(false));
        }

        TrialRecord? Remember(TrialRecord? t)
        {
            if (t is not null)
            {
                trialStudies[t.Id] = studyId;
            }

            return t;
        }
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
        if (finish.RetryAsNewTrial || ClientSideRules)
        {
            done = await FinishClientSideAsync(study, trialId, finish, cancellationToken).ConfigureAwait(false);
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
        if (finish.RetryAsNewTrial || study.Id != studyId || ClientSideRules)
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
        return await FailExpiredClientSideAsync(study, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<TrialRecord?> FailAbandonedTrialAsync(long trialId, string owner, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        StudyRecord study = await StudyOfTrialAsync(trialId, cancellationToken).ConfigureAwait(false);
        return await FailAbandonedClientSideAsync(study, trialId, owner, reason, cancellationToken).ConfigureAwait(false);
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

    private InvalidOperationException NoStudy(long studyId) => new($"There is no study with id {studyId} in the {Description} (was it deleted?).");

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
}
