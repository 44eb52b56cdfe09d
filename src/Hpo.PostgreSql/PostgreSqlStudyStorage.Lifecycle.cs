using System.Runtime.CompilerServices;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.Providers;
using Hpo.Trials;
using Npgsql;

namespace Hpo.PostgreSql;

/// <summary>
/// The client-side path of the trial rules: <see cref="TrialLifecycle"/>'s operations themselves (start, finish, expired leases,
/// hand-back), run over PostgreSQL primitives (<see cref="LifecycleStore"/>) inside one transaction that holds the study's row. The
/// hot rules also run server-side (Schema/2-functions.sql), as an optimisation that must decide exactly as these operations do;
/// a case the functions leave to the client (expired leases, retries) comes here.
/// </summary>
public sealed partial class PostgreSqlStudyStorage
{
    /// <summary>
    /// Gets or sets a value indicating whether starts and finishes skip the server-side functions and always run
    /// <see cref="TrialLifecycle"/>'s operations over the client-side primitives: a testing hook, so that the differential test
    /// checks both paths against the pure life cycle.
    /// </summary>
    internal bool ClientSideRules { get; set; }

    /// <summary>
    /// Gets or sets a testing hook called after a transaction committed and before its answer is used: a test throws a transient
    /// <see cref="NpgsqlException"/> from it to lose the acknowledgement of a committed transaction.
    /// </summary>
    internal Action? AfterCommit { get; set; }

    /// <summary>Starts a trial (<see cref="TrialLifecycle.Start"/>): marks expired leases stale, then claims or inserts, or refuses when the budget is filled.</summary>
    private async Task<TrialRecord?> StartClientSideAsync(StudyRecord study, string owner, Guid request, CancellationToken cancellationToken) =>
        await RunAsync(
            async (conn, tx, ct) =>
            {
                LifecycleStore store = await LockForLifecycleAsync(conn, tx!, study, trialId: null, LifecycleReads.Expired | LifecycleReads.Waiting, (request, owner), ct).ConfigureAwait(false);
                if (store.AlreadyStarted is { } already)
                {
                    // Sent again after a lost connection: the first call started this trial.
                    return already;
                }

                TrialRecord? started = TrialLifecycle.Start(store, store.Policy, owner, store.Now);
                await store.FlushAsync(conn, tx!, ct).ConfigureAwait(false);
                return store.Stored(started);
            },
            transaction: true,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Finishes a trial (<see cref="TrialLifecycle.Finish"/>), enqueuing its retry when the finish asks for one.</summary>
    private async Task<TrialRecord> FinishClientSideAsync(StudyRecord study, long trialId, TrialFinish finish, CancellationToken cancellationToken)
    {
        int calls = 0;
        return await RunAsync(
            async (conn, tx, ct) =>
            {
                calls++;
                LifecycleStore store = await LockForLifecycleAsync(conn, tx!, study, trialId, LifecycleReads.None, start: null, ct).ConfigureAwait(false);
                TrialRecord t = store.Trial!;
                if (t.IsFinished && calls > 1 && SameFinish(t, finish))
                {
                    // Sent again after a lost connection, and the first attempt had committed this very result.
                    return t;
                }

                TrialRecord done = TrialLifecycle.Finish(store, t, finish, store.Now);
                await store.FlushAsync(conn, tx!, ct).ConfigureAwait(false);
                return done;
            },
            transaction: true,
            cancellationToken,
            durable: true).ConfigureAwait(false);
    }

    /// <summary>Marks the study's expired leases stale (<see cref="TrialLifecycle.FailExpired"/>), enqueuing their retries.</summary>
    private async Task<IReadOnlyList<TrialRecord>> FailExpiredClientSideAsync(StudyRecord study, CancellationToken cancellationToken) =>
        await RunAsync(
            async (conn, tx, ct) =>
            {
                LifecycleStore store = await LockForLifecycleAsync(conn, tx!, study, trialId: null, LifecycleReads.Expired, start: null, ct).ConfigureAwait(false);
                IReadOnlyList<TrialRecord> stale = TrialLifecycle.FailExpired(store, store.Policy, store.Now);
                await store.FlushAsync(conn, tx!, ct).ConfigureAwait(false);
                return stale;
            },
            transaction: true,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Marks a trial stale if it still runs under <paramref name="owner"/> (<see cref="TrialLifecycle.FailAbandoned"/>).</summary>
    private async Task<TrialRecord?> FailAbandonedClientSideAsync(StudyRecord study, long trialId, string owner, string reason, CancellationToken cancellationToken) =>
        await RunAsync(
            async (conn, tx, ct) =>
            {
                LifecycleStore store = await LockForLifecycleAsync(conn, tx!, study, trialId, LifecycleReads.None, start: null, ct).ConfigureAwait(false);
                TrialRecord? stale = TrialLifecycle.FailAbandoned(store, store.Policy, store.Trial!, owner, reason, store.Now);
                await store.FlushAsync(conn, tx!, ct).ConfigureAwait(false);
                return stale;
            },
            transaction: true,
            cancellationToken).ConfigureAwait(false);

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

    /// <summary>What a lifecycle operation reads under the study's lock besides the study row and the clock.</summary>
    [Flags]
    private enum LifecycleReads
    {
        /// <summary>Nothing more.</summary>
        None = 0,

        /// <summary>The running trials whose lease expired (locked, in id order).</summary>
        Expired = 1,

        /// <summary>The waiting trial with the lowest number (locked, skipping one another transaction holds).</summary>
        Waiting = 2,
    }

    /// <summary>
    /// Locks a study's row (by the study's id, or by one of its trials' id when <paramref name="trialId"/> is given) and reads, in
    /// the same round trip, the database's clock, the trial, the trial that the start's request already started (<paramref name="start"/>), and what
    /// <paramref name="reads"/> asks for; returns the store that <see cref="TrialLifecycle"/>'s operation then runs over.
    /// </summary>
    private async Task<LifecycleStore> LockForLifecycleAsync(
        NpgsqlConnection conn,
        NpgsqlTransaction tx,
        StudyRecord study,
        long? trialId,
        LifecycleReads reads,
        (Guid Request, string Owner)? start,
        CancellationToken ct)
    {
        long studyId = study.Id;
        SearchSpace space = study.Definition.SearchSpace;
        var commands = new List<NpgsqlBatchCommand>
        {
            trialId is long lockedBy
                ? BatchCommand($"SELECT id, {StudyCounters} FROM hpo_studies WHERE id = (SELECT study_id FROM hpo_trials WHERE id = @id) FOR UPDATE", P("id", lockedBy))
                : BatchCommand($"SELECT id, {StudyCounters} FROM hpo_studies WHERE id = @s FOR UPDATE", P("s", studyId)),

            // After the lock: the operation's one clock reading, in whole microseconds as the database stores it.
            BatchCommand("SELECT COALESCE(@now, statement_timestamp())", NowParameter()),
        };
        if (trialId is long id)
        {
            commands.Add(BatchCommand($"{TrialSelect} WHERE t.id = @id", P("id", id)));
        }

        if (start is (Guid request, string owner))
        {
            commands.Add(BatchCommand($"{TrialSelect} WHERE t.study_id = @s AND t.state = 1 AND t.owner = @o AND t.start_request = @r", P("s", studyId), P("o", owner), P("r", request)));
        }

        if (reads.HasFlag(LifecycleReads.Expired))
        {
            // A superset of what the lifecycle's cutoff selects (this statement's clock runs a little later); the store filters it.
            // A server that started less than a lease ago expires nothing (hpo_lease_cutoff).
            commands.Add(BatchCommand(
                $"{TrialSelect} WHERE t.study_id = @s AND t.state = 1 AND t.heartbeat < hpo_lease_cutoff(@now, @lease) ORDER BY t.id FOR UPDATE OF t",
                P("s", studyId),
                NowParameter(),
                P("lease", study.Definition.Lease)));
        }

        if (reads.HasFlag(LifecycleReads.Waiting))
        {
            commands.Add(BatchCommand($"{TrialSelect} WHERE t.study_id = @s AND t.state = 0 ORDER BY t.number LIMIT 1 FOR UPDATE OF t SKIP LOCKED", P("s", studyId)));
        }

        using NpgsqlBatch batch = Batch(conn, tx, [.. commands]);
        NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
        StudyRow row = await ReadStudyRowAsync(r, ct).ConfigureAwait(false) ?? throw (trialId is long missing ? NoTrial(missing) : NoStudy(studyId));
        await r.NextResultAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        DateTimeOffset now = r.GetFieldValue<DateTimeOffset>(0);
        TrialRecord? trial = null, started = null, waiting = null;
        List<TrialRecord>? expired = null;
        if (trialId is long read)
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            trial = await r.ReadAsync(ct).ConfigureAwait(false) ? ReadTrial(r, space) : throw NoTrial(read);
        }

        if (start is not null)
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            started = await r.ReadAsync(ct).ConfigureAwait(false) ? ReadTrial(r, space) : null;
        }

        if (reads.HasFlag(LifecycleReads.Expired))
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            expired = [];
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                expired.Add(ReadTrial(r, space));
            }
        }

        if (reads.HasFlag(LifecycleReads.Waiting))
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            waiting = await r.ReadAsync(ct).ConfigureAwait(false) ? ReadTrial(r, space) : null;
        }

        return new LifecycleStore(study, row, now, start?.Request, expired, reads.HasFlag(LifecycleReads.Waiting), waiting) { Trial = trial, AlreadyStarted = started };
    }

    /// <summary>
    /// The primitives of <see cref="ITrialLifecycleStore"/> over what <see cref="LockForLifecycleAsync"/> read: the counters of the
    /// locked study row, kept up to date in memory; the expired and waiting trials read under the lock; and the writes, recorded in
    /// order (each advancing the study's version) and sent by <see cref="FlushAsync"/> in one batch before the transaction commits.
    /// </summary>
    /// <remarks>
    /// A new trial gets its number here (the study row is locked) and a placeholder id (negative) until the flush returns the
    /// database's; <see cref="Stored"/> gives a record its id. One operation claims at most one waiting trial (as every
    /// <see cref="TrialLifecycle"/> operation does): the store reads only the oldest, and refuses to guess the next.
    /// </remarks>
    private sealed class LifecycleStore(StudyRecord study, StudyRow row, DateTimeOffset now, Guid? startRequest, IReadOnlyList<TrialRecord>? expired, bool readWaiting, TrialRecord? waiting)
        : ITrialLifecycleStore
    {
        private readonly List<(TrialRecord? Previous, TrialRecord Trial, long Version)> writes = [];
        private readonly List<TrialRecord> newWaiting = [];
        private readonly List<long> insertedIds = [];
        private TrialRecord? oldestWaiting = waiting;
        private bool waitingClaimed;
        private int inserts;

        /// <summary>Gets the database's clock when the study was locked: the operation's <c>now</c>.</summary>
        public DateTimeOffset Now { get; } = now;

        /// <summary>Gets the policy of the study.</summary>
        public TrialPolicy Policy { get; } = TrialPolicy.Of(study.Definition);

        /// <summary>Gets the trial the operation was asked about, as it stands under the lock (when it named one).</summary>
        public TrialRecord? Trial { get; init; }

        /// <summary>Gets the running trial that this start's request already started (a start sent again), or <see langword="null"/>.</summary>
        public TrialRecord? AlreadyStarted { get; init; }

        /// <inheritdoc/>
        public TrialCounts Counts => row.Counts;

        /// <inheritdoc/>
        public IReadOnlyList<TrialRecord> GetExpiredTrials(DateTimeOffset cutoff)
        {
            if (expired is null)
            {
                throw new InvalidOperationException("This PostgreSQL lifecycle operation did not read the expired leases under its lock.");
            }

            int count = 0;
            foreach (TrialRecord t in expired)
            {
                count += t.Heartbeat < cutoff ? 1 : 0;
            }

            return count == expired.Count ? expired : count == 0 ? [] : [.. expired.Where(t => t.Heartbeat < cutoff)];
        }

        /// <inheritdoc/>
        public TrialRecord? GetOldestWaitingTrial()
        {
            if (!readWaiting || waitingClaimed)
            {
                throw new InvalidOperationException(readWaiting
                    ? "A PostgreSQL lifecycle operation claims one waiting trial: it read only the oldest, under its lock."
                    : "This PostgreSQL lifecycle operation did not read the waiting trials under its lock.");
            }

            TrialRecord? oldest = oldestWaiting;
            foreach (TrialRecord t in newWaiting)
            {
                if (oldest is null || t.Number < oldest.Number)
                {
                    oldest = t;
                }
            }

            return oldest;
        }

        /// <inheritdoc/>
        public TrialRecord InsertTrial(TrialRecord trial)
        {
            ArgumentNullException.ThrowIfNull(trial);
            TrialRecord stored = trial with { Id = -(++inserts), Number = row.NextNumber++ };
            row.Counts = row.Counts.Add(stored.State);
            writes.Add((null, stored, ++row.Version));
            if (stored.State == TrialState.Waiting)
            {
                newWaiting.Add(stored);
            }

            return stored;
        }

        /// <inheritdoc/>
        public TrialRecord UpdateTrial(TrialRecord previous, TrialRecord updated)
        {
            ArgumentNullException.ThrowIfNull(previous);
            ArgumentNullException.ThrowIfNull(updated);
            if (previous.Id != updated.Id || previous.Number != updated.Number)
            {
                throw new ArgumentException($"An update keeps the trial's id and number, but trial {previous.Number} (id {previous.Id}) became {updated.Number} (id {updated.Id}).", nameof(updated));
            }

            if (previous.State != updated.State)
            {
                row.Counts = row.Counts.Add(previous.State, -1).Add(updated.State);
            }

            long version = ++row.Version;
            int pending = previous.Id < 0 ? writes.FindIndex(w => w.Previous is null && w.Trial.Id == previous.Id) : -1;
            if (pending >= 0)
            {
                // Inserted by this operation: it is inserted in its final form.
                writes[pending] = (null, updated, version);
            }
            else
            {
                writes.Add((previous, updated, version));
            }

            if (updated.State != TrialState.Waiting)
            {
                newWaiting.RemoveAll(t => t.Id == updated.Id);
                if (oldestWaiting?.Id == updated.Id)
                {
                    oldestWaiting = null;
                    waitingClaimed = true;
                }
            }

            return updated;
        }

        /// <summary>Gets a record as stored: a trial this operation inserted gets the id the database gave it.</summary>
        /// <param name="trial">A record the operation returned.</param>
        /// <returns>The record with its id.</returns>
        public TrialRecord? Stored(TrialRecord? trial) => trial is { Id: < 0 } t ? t with { Id = insertedIds[(int)(-t.Id) - 1] } : trial;

        /// <summary>Sends the operation's writes and the study row's counters in one batch, in the order they were made.</summary>
        public async Task FlushAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
        {
            if (writes.Count == 0)
            {
                return;
            }

            SearchSpace space = study.Definition.SearchSpace;
            var batch = new NpgsqlBatch(conn, tx);
            await using ConfiguredAsyncDisposable batchScope = batch.ConfigureAwait(false);
            var order = new List<int>();
            foreach ((TrialRecord? previous, TrialRecord t, long version) in writes)
            {
                if (previous is null)
                {
                    order.Add((int)(-t.Id));
                    batch.BatchCommands.Add(InsertCommand(space, t, version));
                }
                else
                {
                    foreach (NpgsqlBatchCommand c in UpdateCommands(space, previous, t, version))
                    {
                        batch.BatchCommands.Add(c);
                    }
                }
            }

            batch.BatchCommands.Add(StudyRowCommand(study.Id, row));
            NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
            var ids = new List<long>(order.Count);
            do
            {
                // Only the inserts return rows: one each, the new trial's id, in the order they were made.
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    ids.Add(r.GetInt64(0));
                }
            }
            while (await r.NextResultAsync(ct).ConfigureAwait(false));

            if (ids.Count != order.Count)
            {
                throw new InvalidOperationException($"PostgreSQL returned {ids.Count} ids for {order.Count} inserted trials.");
            }

            insertedIds.AddRange(new long[ids.Count]);
            for (int i = 0; i < order.Count; i++)
            {
                insertedIds[order[i] - 1] = ids[i];
            }
        }

        private static bool SameAttributes(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
            ReferenceEquals(a, b) || (a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out string? v) && v == kv.Value));

        private NpgsqlBatchCommand InsertCommand(SearchSpace space, TrialRecord t, long version) => BatchCommand(
            """
            WITH n AS (
                INSERT INTO hpo_trials (study_id, number, state, params, vals, user_attrs, system_attrs, created_at, started_at, finished_at, owner, heartbeat, fail_reason, exception_type, version, start_request)
                VALUES (@s, @n, @state, @params, @vals, @ua::jsonb, @sa::jsonb, @created, @started, @finished, @owner, @heartbeat, @reason, @type, @v, @r)
                RETURNING id),
            iv AS (INSERT INTO hpo_trial_values (trial_id, step, value) SELECT n.id, u.step, u.value FROM n, unnest(@steps, @ivals) AS u (step, value))
            SELECT id FROM n
            """,
            P("s", study.Id),
            P("n", t.Number),
            P("state", (short)t.State),
            P("params", StudyDefinitionJson.WriteParameters(space, t.Parameters)),
            P("vals", t.Values.ToArray()),
            P("ua", StudyDefinitionJson.WriteAttributes(t.UserAttributes)),
            P("sa", StudyDefinitionJson.WriteAttributes(t.SystemAttributes)),
            P("created", t.CreatedAt),
            P("started", t.StartedAt),
            P("finished", t.FinishedAt),
            P("owner", t.Owner),
            P("heartbeat", t.Heartbeat),
            P("reason", t.FailReason),
            P("type", t.ExceptionType),
            P("v", version),
            P("r", t.State == TrialState.Running ? startRequest : null),
            P("steps", t.IntermediateValues.Keys.ToArray()),
            P("ivals", t.IntermediateValues.Values.ToArray()));

        /// <summary>The update of every column that differs (and the version); the intermediate values when they changed.</summary>
        private IEnumerable<NpgsqlBatchCommand> UpdateCommands(SearchSpace space, TrialRecord previous, TrialRecord t, long version)
        {
            var set = new List<string> { "version = @v" };
            var args = new List<NpgsqlParameter> { P("v", version), P("id", t.Id) };
            void Column<T>(string column, T before, T after, object? value, string cast = "")
            {
                if (!EqualityComparer<T>.Default.Equals(before, after))
                {
                    set.Add($"{column} = @{column}{cast}");
                    args.Add(P(column, value));
                }
            }

            Column("state", previous.State, t.State, (short)t.State);
            Column("owner", previous.Owner, t.Owner, t.Owner);
            Column("heartbeat", previous.Heartbeat, t.Heartbeat, t.Heartbeat);
            Column("started_at", previous.StartedAt, t.StartedAt, t.StartedAt);
            Column("finished_at", previous.FinishedAt, t.FinishedAt, t.FinishedAt);
            Column("fail_reason", previous.FailReason, t.FailReason, t.FailReason);
            Column("exception_type", previous.ExceptionType, t.ExceptionType, t.ExceptionType);
            Column("created_at", previous.CreatedAt, t.CreatedAt, t.CreatedAt);
            if (!previous.Values.SequenceEqual(t.Values))
            {
                set.Add("vals = @vals");
                args.Add(P("vals", t.Values.ToArray()));
            }

            if (!ReferenceEquals(previous.Parameters, t.Parameters) && !SameParameters(previous.Parameters, t.Parameters))
            {
                set.Add("params = @params");
                args.Add(P("params", StudyDefinitionJson.WriteParameters(space, t.Parameters)));
            }

            if (!SameAttributes(previous.UserAttributes, t.UserAttributes))
            {
                set.Add("user_attrs = @ua::jsonb");
                args.Add(P("ua", StudyDefinitionJson.WriteAttributes(t.UserAttributes)));
            }

            if (!SameAttributes(previous.SystemAttributes, t.SystemAttributes))
            {
                set.Add("system_attrs = @sa::jsonb");
                args.Add(P("sa", StudyDefinitionJson.WriteAttributes(t.SystemAttributes)));
            }

            if (t.State == TrialState.Running && previous.State != TrialState.Running)
            {
                // Claimed: a start sent again after a lost connection finds the trial it started.
                set.Add("start_request = @r");
                args.Add(P("r", startRequest));
            }

            if (t.IsFinished)
            {
                // A finished trial's parameters are final: no reservation stays open.
                set.Add("params_version = NULL");
            }

            yield return BatchCommand($"UPDATE hpo_trials SET {string.Join(", ", set)} WHERE id = @id", [.. args]);
            if (!previous.IntermediateValues.SequenceEqual(t.IntermediateValues))
            {
                long[] steps = [.. t.IntermediateValues.Keys];
                yield return BatchCommand("DELETE FROM hpo_trial_values WHERE trial_id = @id AND step <> ALL(@steps)", P("id", t.Id), P("steps", steps));
                yield return BatchCommand(
                    "INSERT INTO hpo_trial_values (trial_id, step, value) SELECT @id, u.step, u.value FROM unnest(@steps, @ivals) AS u (step, value) ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value",
                    P("id", t.Id),
                    P("steps", steps),
                    P("ivals", t.IntermediateValues.Values.ToArray()));
            }
        }
    }
}
