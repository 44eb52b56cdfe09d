using Hpo.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Hpo.PostgreSql;

/// <summary>The requests: SQL texts, parameters, commands and batches.</summary>
public sealed partial class PostgreSqlStudyStorage
{
    private const string NowSql = "COALESCE(@now, statement_timestamp())";

    private const string TrialColumns = "t.id, t.number, t.state, t.params, t.vals, t.user_attrs::text, t.system_attrs::text, t.created_at, t.started_at, t.finished_at, t.owner, t.heartbeat, t.fail_reason, t.exception_type";

    private const string TrialSelect = "SELECT " + TrialColumns + """
        , iv.steps, iv.ivals FROM hpo_trials t
        LEFT JOIN LATERAL (SELECT array_agg(v.step ORDER BY v.step) AS steps, array_agg(v.value ORDER BY v.step) AS ivals FROM hpo_trial_values v WHERE v.trial_id = t.id) iv ON true
        """;

    private const string StudyCounters = "version, next_number, n_waiting, n_running, n_complete, n_pruned, n_failed, n_stale";

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

    private NpgsqlParameter NowParameter() => new("now", NpgsqlDbType.TimestampTz) { Value = timeProvider is null ? DBNull.Value : timeProvider.GetUtcNow() };
}
