using System.Globalization;
using System.Text;
using Hpo.SearchSpaces;

namespace Hpo.Storage.Providers;

/// <summary>
/// A <see cref="TrialQuery"/>'s filter and order in SQL, written once for every SQL storage and parameterised by its
/// <see cref="ISqlDialect"/>: the SQLite and PostgreSQL storages' <see cref="IStudyQueryStorage.QueryTrialsAsync"/> both use it, and
/// they answer as <see cref="TrialQuery.Apply"/> does in memory (same matches, same order, ties by number).
/// </summary>
/// <remarks>
/// The caller validates the query first (<see cref="TrialQuery.Validate"/>), restricts the rows to the study itself, and binds
/// <see cref="Parameters"/> (names without the dialect's prefix, every one starting with <c>q</c>: keep the caller's own names
/// different). Values are bound as they are given: numbers as <see cref="double"/>, <see cref="long"/> or <see cref="int"/>, text,
/// and what the dialect's <see cref="ISqlDialect.ParameterKey"/> and <see cref="ISqlDialect.List"/> return.
/// </remarks>
public sealed class TrialQuerySql
{
    private readonly ISqlDialect dialect;
    private readonly List<KeyValuePair<string, object>> parameters = [];

    private TrialQuerySql(ISqlDialect dialect) => this.dialect = dialect;

    /// <summary>Gets the filter's conditions joined by <c>AND</c>, or an empty string when the filter is empty.</summary>
    public string Filter { get; private set; } = string.Empty;

    /// <summary>Gets the <c>ORDER BY</c> list (without the keywords): the sort key, trials without one last, ties by number.</summary>
    public string OrderBy { get; private set; } = string.Empty;

    /// <summary>Gets the parameters that <see cref="Filter"/> and <see cref="OrderBy"/> use, by name (without the dialect's prefix).</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Parameters => parameters;

    /// <summary>Writes a query's filter and order in a dialect.</summary>
    /// <param name="query">The query, validated against the study's definition.</param>
    /// <param name="space">The study's search space.</param>
    /// <param name="dialect">The database's dialect.</param>
    /// <returns>The SQL and its parameters.</returns>
    /// <exception cref="ArgumentException">The query filters or sorts by a parameter that is not in <paramref name="space"/>.</exception>
    public static TrialQuerySql Build(TrialQuery query, SearchSpace space, ISqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(dialect);
        var sql = new TrialQuerySql(dialect);
        sql.Filter = sql.FilterSql(query.Filter, space);
        sql.OrderBy = sql.OrderSql(query, space);
        return sql;
    }

    /// <summary>Gets the parameters whose placeholder occurs in <paramref name="sql"/> (as a whole name: <c>@qp1</c> is not in <c>@qp10</c>).</summary>
    /// <param name="sql">A statement built from <see cref="Filter"/> or <see cref="OrderBy"/>.</param>
    /// <returns>The parameters it needs bound.</returns>
    public IEnumerable<KeyValuePair<string, object>> ParametersIn(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        foreach (KeyValuePair<string, object> p in parameters)
        {
            string placeholder = Placeholder(p.Key);
            for (int at = sql.IndexOf(placeholder, StringComparison.Ordinal); at >= 0; at = sql.IndexOf(placeholder, at + 1, StringComparison.Ordinal))
            {
                int end = at + placeholder.Length;
                if (end == sql.Length || !(char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
                {
                    yield return p;
                    break;
                }
            }
        }
    }

    private string Placeholder(string name) => dialect.ParameterPrefix + name;

    /// <summary>Binds a value once under a name, and returns its placeholder.</summary>
    private string Bind(string name, object value)
    {
        if (!parameters.Exists(p => p.Key == name))
        {
            parameters.Add(new(name, value));
        }

        return Placeholder(name);
    }

    private static string Index(SearchSpace space, string name)
    {
        int i = space.IndexOf(name);
        return i >= 0 ? i.ToString(CultureInfo.InvariantCulture) : throw new ArgumentException($"The query names the parameter '{name}', which is not in the study's search space.", nameof(space));
    }

    private string ParameterSql(SearchSpace space, string name) => dialect.ParameterValue(Bind("qp" + Index(space, name), dialect.ParameterKey(name)));

    private string FilterSql(TrialFilter filter, SearchSpace space)
    {
        var conditions = new List<string>();
        if (filter.States is { } states)
        {
            string mask = Bind("qstates", states.Aggregate(0L, (m, s) => m | (1L << (int)s)));
            conditions.Add($"((CAST(1 AS bigint) << {dialect.Column("state")}) & {mask}) <> 0");
        }

        void Range(string key, ValueRange? range, string prefix)
        {
            if (range is null)
            {
                return;
            }

            var c = new StringBuilder().Append(key).Append(" IS NOT NULL");
            if (range.Min is double min)
            {
                c.Append(" AND ").Append(key).Append(" >= ").Append(Bind(prefix + "min", min));
            }

            if (range.Max is double max)
            {
                c.Append(" AND ").Append(key).Append(" <= ").Append(Bind(prefix + "max", max));
            }

            conditions.Add(c.ToString());
        }

        Range(dialect.FirstValue, filter.Value, "qv");
        Range(dialect.DurationSeconds, filter.DurationSeconds, "qd");
        foreach ((string name, ValueRange range) in filter.Parameters)
        {
            Range(ParameterSql(space, name), range, "qr" + Index(space, name));
        }

        foreach ((string name, IReadOnlyList<object> choices) in filter.Choices)
        {
            Distribution d = space[name].Distribution;
            string list = Bind("qc" + Index(space, name), dialect.List([.. choices.Select(d.ToInternal)]));
            conditions.Add(dialect.InList(ParameterSql(space, name), list));
        }

        if (!string.IsNullOrEmpty(filter.Text))
        {
            // Only ASCII letters are folded, as TrialFilter does.
            string folded = new([.. filter.Text.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c)]);
            string like = Bind("qtext", "%" + folded.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%");
            string number = Bind("qnumber", int.TryParse(filter.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1);
            conditions.Add($"({dialect.ContainsIgnoringAsciiCase(dialect.Column("owner"), like)} OR {dialect.ContainsIgnoringAsciiCase(dialect.Column("fail_reason"), like)} OR {dialect.Column("number")} = {number})");
        }

        return string.Join(" AND ", conditions);
    }

    private string OrderSql(TrialQuery query, SearchSpace space)
    {
        string dir = query.Descending ? "DESC" : "ASC";
        string number = dialect.Column("number");
        string? key = query.Sort switch
        {
            TrialSortColumn.Number => null,
            TrialSortColumn.State => dialect.Column("state"),
            TrialSortColumn.Owner => dialect.BinaryOrder($"COALESCE({dialect.Column("owner")}, '')"),
            TrialSortColumn.Value => dialect.FirstValue,
            TrialSortColumn.Duration => dialect.DurationSeconds,
            TrialSortColumn.Started => dialect.Column("started_at"),
            TrialSortColumn.Finished => dialect.Column("finished_at"),
            _ => ParameterSql(space, query.SortParameter ?? throw new ArgumentException($"The query sorts by {query.Sort} but names no parameter.", nameof(query))),
        };
        return key is null ? $"{number} {dir}"
            : query.Sort is TrialSortColumn.State or TrialSortColumn.Owner ? $"{key} {dir}, {number} ASC"
            : $"({key}) IS NULL, {key} {dir}, {number} ASC";
    }
}
