using System.Runtime.CompilerServices;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.Providers;
using Hpo.Trials;
using Npgsql;

namespace Hpo.PostgreSql;

/// <summary>The client-side slow path of the trial rules (expired leases, retries, hand-back, finishes with a retry), under the study row's lock, applying the decisions of <see cref="TrialLifecycle"/>. The hot rules run server-side (Schema/2-functions.sql).</summary>
public sealed partial class PostgreSqlStudyStorage
{
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

                if (TrialLifecycle.IsBudgetFilled(row.Counts, TrialPolicy.Of(study.Definition)))
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

                return TrialLifecycle.Finished(t, finish, finishedAt) with { StartedAt = startedAt };
            },
            transaction: true,
            cancellationToken,
            durable: true).ConfigureAwait(false);
    }

    private async Task<List<TrialRecord>> MarkOrphansStaleAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, StudyRecord study, StudyRow row, List<long> ids, CancellationToken ct)
    {
        var failed = new List<TrialRecord>();
        foreach (long id in ids)
        {
            TrialRecord t = await ReadTrialAsync(conn, tx, study, "t.id = @id", ct, P("id", id)).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Trial id {id} vanished while locked.");
            failed.Add(await MarkStaleAsync(conn, tx, study, row, t, TrialLifecycle.StaleReason(t, study.Definition.Lease), ct).ConfigureAwait(false));
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

        if (TrialLifecycle.RetriesLostWorker(TrialPolicy.Of(study.Definition), t))
        {
            await EnqueueRetryAsync(conn, tx, row, t, ct).ConfigureAwait(false);
        }

        return TrialLifecycle.Stale(t, reason, new DateTimeOffset(finishedAt, TimeSpan.Zero));
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
            P("a", StudyDefinitionJson.WriteAttributes(TrialLifecycle.RetrySystemAttributes(t))),
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
}
