using Hpo.Storage.Providers;

namespace Hpo.PostgreSql;

/// <summary>PostgreSQL's spelling of a trial query (<see cref="TrialQuerySql"/>) over <c>hpo_trials t</c>: arrays, <c>jsonb</c>, intervals.</summary>
internal sealed class PostgreSqlTrialQueryDialect : ISqlDialect
{
    /// <summary>Gets the dialect.</summary>
    public static PostgreSqlTrialQueryDialect Instance { get; } = new();

    /// <inheritdoc/>
    public char ParameterPrefix => '@';

    /// <inheritdoc/>
    /// <remarks>NaN and infinities count as none, as <see cref="Storage.TrialQuery"/> does.</remarks>
    public string FirstValue => "(CASE WHEN t.vals[1] IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8) THEN NULL ELSE t.vals[1] END)";

    /// <inheritdoc/>
    public string DurationSeconds => "(EXTRACT(EPOCH FROM (t.finished_at - t.started_at))::float8)";

    /// <inheritdoc/>
    public string Column(string name) => "t." + name;

    /// <inheritdoc/>
    public string ParameterValue(string keyPlaceholder) => $"((t.params::jsonb ->> {keyPlaceholder})::float8)";

    /// <inheritdoc/>
    public object ParameterKey(string name) => name;

    /// <inheritdoc/>
    public string InList(string expression, string listPlaceholder) => $"{expression} = ANY({listPlaceholder})";

    /// <inheritdoc/>
    public object List(IReadOnlyList<double> values) => values.ToArray();

    /// <inheritdoc/>
    /// <remarks>Only ASCII letters are folded (<c>translate</c>), as SQLite's <c>LIKE</c> and <see cref="Storage.TrialFilter"/> do.</remarks>
    public string ContainsIgnoringAsciiCase(string expression, string patternPlaceholder) =>
        $"translate({expression}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE {patternPlaceholder} ESCAPE '\\'";

    /// <inheritdoc/>
    public string BinaryOrder(string expression) => $"{expression} COLLATE \"C\"";
}
