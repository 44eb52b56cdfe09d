using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.Providers;
using Hpo.Trials;
using Npgsql;
using NpgsqlTypes;

namespace Hpo.PostgreSql;

/// <summary>The <see cref="IStudyQueryStorage"/> read capability in SQL: a page of trials filtered, sorted and counted by PostgreSQL.</summary>
public sealed partial class PostgreSqlStudyStorage : IStudyQueryStorage
{
    /// <inheritdoc/>
    /// <remarks>
    /// One round trip in one repeatable-read snapshot: the total, the count and the page agree. Sorting by number uses the
    /// (study, number) key, so the default page of a 100,000-trial study reads 50 rows; other sorts and filters scan the study's
    /// rows once, in the server.
    /// </remarks>
    public async ValueTask<TrialPage> QueryTrialsAsync(long studyId, TrialQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        StudyRecord study = await StudyAsync(studyId, cancellationToken).ConfigureAwait(false);
        query.Validate(study.Definition);
        SearchSpace space = study.Definition.SearchSpace;
        var sql = TrialQuerySql.Build(query, space, PostgreSqlTrialQueryDialect.Instance);
        string where = sql.Filter.Length == 0 ? "t.study_id = @s" : $"t.study_id = @s AND {sql.Filter}";
        return await RunAsync(
            async (conn, _, ct) =>
            {
                NpgsqlTransaction tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable txScope = tx.ConfigureAwait(false);
                using var batch = new NpgsqlBatch(conn, tx);
                batch.BatchCommands.Add(QueryBatchCommand("SELECT n_waiting + n_running + n_complete + n_pruned + n_failed + n_stale FROM hpo_studies WHERE id = @s", sql, P("s", studyId)));
                batch.BatchCommands.Add(QueryBatchCommand(query.Filter.IsEmpty ? "SELECT NULL::bigint" : $"SELECT COUNT(*) FROM hpo_trials t WHERE {where}", sql, P("s", studyId)));
                batch.BatchCommands.Add(QueryBatchCommand($"{TrialSelect} WHERE {where} ORDER BY {sql.OrderBy} LIMIT @limit OFFSET @offset", sql, P("s", studyId), P("limit", query.Limit), P("offset", query.Offset)));
                NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                int total = await r.ReadAsync(ct).ConfigureAwait(false) ? r.GetInt32(0) : throw NoStudy(studyId);
                await r.NextResultAsync(ct).ConfigureAwait(false);
                await r.ReadAsync(ct).ConfigureAwait(false);
                int matched = r.IsDBNull(0) ? total : (int)r.GetInt64(0);
                await r.NextResultAsync(ct).ConfigureAwait(false);
                var page = new List<TrialRecord>(query.Limit);
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    page.Add(ReadTrial(r, space));
                }

                return new TrialPage(total, matched, page);
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A statement of a query, with the query's parameters that it uses and its own.</summary>
    private static NpgsqlBatchCommand QueryBatchCommand(string text, TrialQuerySql sql, params NpgsqlParameter[] own)
    {
        NpgsqlBatchCommand cmd = BatchCommand(text, own);
        foreach (KeyValuePair<string, object> p in sql.ParametersIn(text))
        {
            cmd.Parameters.Add(P(p.Key, p.Value));
        }

        return cmd;
    }
}
