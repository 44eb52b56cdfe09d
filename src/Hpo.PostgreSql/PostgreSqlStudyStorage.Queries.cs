using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;
using Npgsql;
using NpgsqlTypes;

namespace Hpo.PostgreSql;

/// <summary>The <see cref="IStudyQueryStorage"/> read capability in SQL: a page of trials filtered, sorted and counted by PostgreSQL.</summary>
public sealed partial class PostgreSqlStudyStorage : IStudyQueryStorage
{
    // The first value when it is a finite number; NaN and infinities count as none (as TrialQuery does).
    private const string QueryValueSql = "(CASE WHEN t.vals[1] IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8) THEN NULL ELSE t.vals[1] END)";

    private const string QueryDurationSql = "(EXTRACT(EPOCH FROM (t.finished_at - t.started_at))::float8)";

    private const string AsciiUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

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
        var args = new List<NpgsqlParameter> { P("s", studyId) };
        string where = "t.study_id = @s" + QueryFilterSql(query.Filter, space, args);
        string order = QueryOrderSql(query, space, args);
        return await RunAsync(
            async (conn, _, ct) =>
            {
                NpgsqlTransaction tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable txScope = tx.ConfigureAwait(false);
                using var batch = new NpgsqlBatch(conn, tx);
                batch.BatchCommands.Add(QueryBatchCommand("SELECT n_waiting + n_running + n_complete + n_pruned + n_failed + n_stale FROM hpo_studies WHERE id = @s", args));
                batch.BatchCommands.Add(QueryBatchCommand(query.Filter.IsEmpty ? "SELECT NULL::bigint" : $"SELECT COUNT(*) FROM hpo_trials t WHERE {where}", args));
                NpgsqlBatchCommand rows = QueryBatchCommand($"{TrialSelect} WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset", args);
                rows.Parameters.Add(P("limit", query.Limit));
                rows.Parameters.Add(P("offset", query.Offset));
                batch.BatchCommands.Add(rows);
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

    private static NpgsqlBatchCommand QueryBatchCommand(string sql, List<NpgsqlParameter> args)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (NpgsqlParameter a in args)
        {
            if (sql.Contains("@" + a.ParameterName, StringComparison.Ordinal))
            {
                cmd.Parameters.Add(a.Clone());
            }
        }

        return cmd;
    }

    private static string QueryParameterSql(SearchSpace space, string name, List<NpgsqlParameter> args)
    {
        string arg = "p" + space.IndexOf(name).ToString(CultureInfo.InvariantCulture);
        if (!args.Exists(a => a.ParameterName == arg))
        {
            args.Add(P(arg, name));
        }

        return $"((t.params::jsonb ->> @{arg})::float8)";
    }

    private static string QueryFilterSql(TrialFilter filter, SearchSpace space, List<NpgsqlParameter> args)
    {
        var sql = new StringBuilder();
        if (filter.States is { } states)
        {
            args.Add(P("states", states.Aggregate(0L, (mask, s) => mask | (1L << (int)s))));
            sql.Append(" AND ((1::bigint << t.state) & @states) <> 0");
        }

        void Range(string key, ValueRange? range, string prefix)
        {
            if (range is null)
            {
                return;
            }

            sql.Append(" AND ").Append(key).Append(" IS NOT NULL");
            if (range.Min is double min)
            {
                args.Add(new NpgsqlParameter(prefix + "min", NpgsqlDbType.Double) { Value = min });
                sql.Append(" AND ").Append(key).Append(" >= @").Append(prefix).Append("min");
            }

            if (range.Max is double max)
            {
                args.Add(new NpgsqlParameter(prefix + "max", NpgsqlDbType.Double) { Value = max });
                sql.Append(" AND ").Append(key).Append(" <= @").Append(prefix).Append("max");
            }
        }

        Range(QueryValueSql, filter.Value, "v");
        Range(QueryDurationSql, filter.DurationSeconds, "d");
        foreach ((string name, ValueRange range) in filter.Parameters)
        {
            Range(QueryParameterSql(space, name, args), range, "r" + space.IndexOf(name).ToString(CultureInfo.InvariantCulture));
        }

        foreach ((string name, IReadOnlyList<object> choices) in filter.Choices)
        {
            string arg = "c" + space.IndexOf(name).ToString(CultureInfo.InvariantCulture);
            Distribution d = space[name].Distribution;
            args.Add(new NpgsqlParameter(arg, NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = choices.Select(d.ToInternal).ToArray() });
            sql.Append(" AND ").Append(QueryParameterSql(space, name, args)).Append(" = ANY(@").Append(arg).Append(')');
        }

        if (!string.IsNullOrEmpty(filter.Text))
        {
            // Only ASCII letters are folded, as SQLite's LIKE and TrialFilter do.
            string folded = new([.. filter.Text.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c)]);
            string like = "%" + folded.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            args.Add(P("q", like));
            args.Add(P("qn", int.TryParse(filter.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1));
            args.Add(P("upper", AsciiUpper));
            args.Add(P("lower", AsciiUpper.ToLowerInvariant()));
            sql.Append(" AND (translate(t.owner, @upper, @lower) LIKE @q ESCAPE '\\' OR translate(t.fail_reason, @upper, @lower) LIKE @q ESCAPE '\\' OR t.number = @qn)");
        }

        return sql.ToString();
    }

    private static string QueryOrderSql(TrialQuery query, SearchSpace space, List<NpgsqlParameter> args)
    {
        string dir = query.Descending ? "DESC" : "ASC";
        string? key = query.Sort switch
        {
            TrialSortColumn.Number => null,
            TrialSortColumn.State => "t.state",
            TrialSortColumn.Owner => "COALESCE(t.owner, '') COLLATE \"C\"",
            TrialSortColumn.Value => QueryValueSql,
            TrialSortColumn.Duration => QueryDurationSql,
            TrialSortColumn.Started => "t.started_at",
            TrialSortColumn.Finished => "t.finished_at",
            _ => QueryParameterSql(space, query.SortParameter!, args),
        };
        return key is null ? $"t.number {dir}"
            : query.Sort is TrialSortColumn.State or TrialSortColumn.Owner ? $"{key} {dir}, t.number ASC"
            : $"({key}) IS NULL, {key} {dir}, t.number ASC";
    }
}
