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
}
