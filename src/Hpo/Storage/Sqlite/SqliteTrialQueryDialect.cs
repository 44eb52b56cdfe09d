using System.Globalization;
using Hpo.Storage.Providers;

namespace Hpo.Storage.Sqlite;

/// <summary>SQLite's spelling of a trial query (<see cref="TrialQuerySql"/>): JSON functions, times in milliseconds, <c>LIKE</c> that ignores ASCII case.</summary>
internal sealed class SqliteTrialQueryDialect : ISqlDialect
{
    /// <summary>Gets the dialect.</summary>
    public static SqliteTrialQueryDialect Instance { get; } = new();

    /// <inheritdoc/>
    public char ParameterPrefix => '$';

    /// <inheritdoc/>
    /// <remarks>A value SQLite's JSON cannot read (NaN, infinities) counts as none.</remarks>
    public string FirstValue => "(CASE WHEN json_valid(vals) THEN json_extract(vals, '$[0]') END)";

    /// <inheritdoc/>
    public string DurationSeconds => "((finished_at - started_at) / 1000.0)";

    /// <inheritdoc/>
    public string Column(string name) => name;

    /// <inheritdoc/>
    public string ParameterValue(string keyPlaceholder) => $"json_extract(params, {keyPlaceholder})";

    /// <inheritdoc/>
    public object ParameterKey(string name) =>
        "$.\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <inheritdoc/>
    public string InList(string expression, string listPlaceholder) => $"{expression} IN (SELECT value FROM json_each({listPlaceholder}))";

    /// <inheritdoc/>
    public object List(IReadOnlyList<double> values) => "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    /// <inheritdoc/>
    /// <remarks>SQLite's <c>LIKE</c> ignores the case of ASCII letters (and only theirs) unless told otherwise.</remarks>
    public string ContainsIgnoringAsciiCase(string expression, string patternPlaceholder) => $"{expression} LIKE {patternPlaceholder} ESCAPE '\\'";

    /// <inheritdoc/>
    public string BinaryOrder(string expression) => $"{expression} COLLATE BINARY";
}
