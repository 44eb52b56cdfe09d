using System.Globalization;
using System.Text;
using Hpo.SearchSpaces;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Storage.Sqlite;

/// <summary>The <see cref="IStudyQueryStorage"/> read capability in SQL: a page of trials filtered, sorted and counted by SQLite.</summary>
public sealed partial class SqliteStudyStorage : IStudyQueryStorage
{
    /// <inheritdoc/>
    /// <remarks>
    /// One read snapshot (a deferred transaction): the count and the page agree. Sorting by number uses the (study, number)
    /// index, so the default page of a 100,000-trial study reads 50 rows; other sorts and filters scan the study's rows once.
    /// </remarks>
    public ValueTask<TrialPage> QueryTrialsAsync(long studyId, TrialQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        StudyRecord study = Study(studyId);
        query.Validate(study.Definition);
        var args = new List<(string Name, object? Value)> { ("$s", studyId) };
        string where = "study_id = $s" + QueryFilterSql(query.Filter, study.Definition.SearchSpace, args);
        string order = QueryOrderSql(query, study.Definition.SearchSpace, args);
        return Run(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction(deferred: true);
            int total;
            using (SqliteCommand counts = QueryCommand(conn, "SELECT n_waiting + n_running + n_complete + n_pruned + n_failed + n_stale FROM studies WHERE id = $s", args))
            {
                total = counts.ExecuteScalar() is long n ? (int)n : throw new InvalidOperationException($"There is no study with id {studyId} in {FilePath}.");
            }

            int matched = total;
            if (!query.Filter.IsEmpty)
            {
                using SqliteCommand count = QueryCommand(conn, $"SELECT COUNT(*) FROM trials WHERE {where}", args);
                matched = (int)(long)count.ExecuteScalar()!;
            }

            var page = new List<TrialRecord>(Math.Min(query.Limit, Math.Max(0, matched - query.Offset)));
            if (page.Capacity > 0)
            {
                var pageArgs = new List<(string Name, object? Value)>(args) { ("$limit", query.Limit), ("$offset", query.Offset) };
                using SqliteCommand rows = QueryCommand(conn, $"SELECT {TrialColumns} FROM trials WHERE {where} ORDER BY {order} LIMIT $limit OFFSET $offset", pageArgs);
                using SqliteDataReader r = rows.ExecuteReader();
                while (r.Read())
                {
                    page.Add(ReadTrialRow(r, study.Definition.SearchSpace));
                }
            }

            for (int i = 0; i < page.Count; i++)
            {
                page[i] = WithIntermediateValues(conn, tx, page[i]);
            }

            tx.Commit();
            return new TrialPage(total, matched, page);
        }, cancellationToken);
    }

    /// <summary>A one-off command (not kept in the connection's cache: filters make many different texts).</summary>
    private static SqliteCommand QueryCommand(SqlitePooledConnection conn, string sql, List<(string Name, object? Value)> args)
    {
        SqliteCommand cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach ((string name, object? value) in args)
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
        }

        return cmd;
    }

    /// <summary>The SQL of a trial's sort key, or <see langword="null"/> for the owner (text) and the number.</summary>
    private static string ParameterSql(SearchSpace space, string name, List<(string Name, object? Value)> args)
    {
        string arg = "$p" + space.IndexOf(name).ToString(CultureInfo.InvariantCulture);
        if (!args.Exists(a => a.Name == arg))
        {
            args.Add((arg, "$.\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
        }

        return $"json_extract(params, {arg})";
    }

    // The first value when it is a finite number: a value SQLite's JSON cannot read (NaN, infinities) counts as none.
    private const string ValueSql = "(CASE WHEN json_valid(vals) THEN json_extract(vals, '$[0]') END)";

    private const string DurationSql = "((finished_at - started_at) / 1000.0)";

    private static string QueryFilterSql(TrialFilter filter, SearchSpace space, List<(string Name, object? Value)> args)
    {
        var sql = new StringBuilder();
        if (filter.States is { } states)
        {
            args.Add(("$states", states.Aggregate(0L, (mask, s) => mask | (1L << (int)s))));
            sql.Append(" AND ((1 << state) & $states) != 0");
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
                args.Add(($"${prefix}min", min));
                sql.Append(" AND ").Append(key).Append(" >= $").Append(prefix).Append("min");
            }

            if (range.Max is double max)
            {
                args.Add(($"${prefix}max", max));
                sql.Append(" AND ").Append(key).Append(" <= $").Append(prefix).Append("max");
            }
        }

        Range(ValueSql, filter.Value, "v");
        Range(DurationSql, filter.DurationSeconds, "d");
        foreach ((string name, ValueRange range) in filter.Parameters)
        {
            Range(ParameterSql(space, name, args), range, "r" + space.IndexOf(name).ToString(CultureInfo.InvariantCulture));
        }

        foreach ((string name, IReadOnlyList<object> choices) in filter.Choices)
        {
            string arg = "$c" + space.IndexOf(name).ToString(CultureInfo.InvariantCulture);
            Distribution d = space[name].Distribution;
            args.Add((arg, "[" + string.Join(",", choices.Select(c => d.ToInternal(c).ToString("R", CultureInfo.InvariantCulture))) + "]"));
            sql.Append(" AND ").Append(ParameterSql(space, name, args)).Append(" IN (SELECT value FROM json_each(").Append(arg).Append("))");
        }

        if (!string.IsNullOrEmpty(filter.Text))
        {
            string like = "%" + filter.Text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            args.Add(("$q", like));
            args.Add(("$qn", int.TryParse(filter.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1));
            sql.Append(" AND (owner LIKE $q ESCAPE '\\' OR fail_reason LIKE $q ESCAPE '\\' OR number = $qn)");
        }

        return sql.ToString();
    }

    private static string QueryOrderSql(TrialQuery query, SearchSpace space, List<(string Name, object? Value)> args)
    {
        string dir = query.Descending ? "DESC" : "ASC";
        string? key = query.Sort switch
        {
            TrialSortColumn.Number => null,
            TrialSortColumn.State => "state",
            TrialSortColumn.Owner => "COALESCE(owner, '')",
            TrialSortColumn.Value => ValueSql,
            TrialSortColumn.Duration => DurationSql,
            TrialSortColumn.Started => "started_at",
            TrialSortColumn.Finished => "finished_at",
            _ => ParameterSql(space, query.SortParameter!, args),
        };
        return key is null ? $"number {dir}"
            : query.Sort is TrialSortColumn.State or TrialSortColumn.Owner ? $"{key} {dir}, number ASC"
            : $"({key}) IS NULL, {key} {dir}, number ASC";
    }
}
