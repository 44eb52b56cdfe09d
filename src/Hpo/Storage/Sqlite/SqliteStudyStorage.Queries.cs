using Hpo.Storage.Providers;
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
        var sql = TrialQuerySql.Build(query, study.Definition.SearchSpace, SqliteTrialQueryDialect.Instance);
        string where = sql.Filter.Length == 0 ? "study_id = $s" : $"study_id = $s AND {sql.Filter}";
        return Run(conn =>
        {
            using SqliteWriteTransaction tx = conn.BeginTransaction(deferred: true);
            int total;
            using (SqliteCommand counts = QueryCommand(conn, "SELECT n_waiting + n_running + n_complete + n_pruned + n_failed + n_stale FROM studies WHERE id = $s", sql, ("$s", studyId)))
            {
                total = counts.ExecuteScalar() is long n ? (int)n : throw new InvalidOperationException($"There is no study with id {studyId} in {FilePath}.");
            }

            int matched = total;
            if (!query.Filter.IsEmpty)
            {
                using SqliteCommand count = QueryCommand(conn, $"SELECT COUNT(*) FROM trials WHERE {where}", sql, ("$s", studyId));
                matched = (int)(long)count.ExecuteScalar()!;
            }

            var page = new List<TrialRecord>(Math.Min(query.Limit, Math.Max(0, matched - query.Offset)));
            if (page.Capacity > 0)
            {
                using SqliteCommand rows = QueryCommand(conn, $"SELECT {TrialColumns} FROM trials WHERE {where} ORDER BY {sql.OrderBy} LIMIT $limit OFFSET $offset", sql, ("$s", studyId), ("$limit", query.Limit), ("$offset", query.Offset));
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

    /// <summary>A one-off command (not kept in the connection's cache: filters make many different texts), with the query's parameters that it uses and its own.</summary>
    private static SqliteCommand QueryCommand(SqlitePooledConnection conn, string text, TrialQuerySql sql, params (string Name, object Value)[] own)
    {
        SqliteCommand cmd = conn.CreateCommand();
        cmd.CommandText = text;
        foreach ((string name, object value) in own)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        foreach (KeyValuePair<string, object> p in sql.ParametersIn(text))
        {
            cmd.Parameters.AddWithValue(SqliteTrialQueryDialect.Instance.ParameterPrefix + p.Key, p.Value);
        }

        return cmd;
    }
}
