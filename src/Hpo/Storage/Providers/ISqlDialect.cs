namespace Hpo.Storage.Providers;

/// <summary>
/// What <see cref="TrialQuerySql"/> needs to know of a SQL database to write a trial query's filter and order: how parameters are
/// named, how the trial table's columns are reached, and the few expressions that SQL dialects spell differently (the first objective
/// value, a duration, a parameter read from the trial's JSON, membership in a list, a case-insensitive <c>LIKE</c>, binary text order).
/// </summary>
/// <remarks>
/// The trial table is expected to hold, under the names <see cref="Column"/> maps: <c>number</c> (integer), <c>state</c> (the
/// <see cref="Trials.TrialState"/> as an integer), <c>owner</c> and <c>fail_reason</c> (text), <c>started_at</c> and
/// <c>finished_at</c>, <c>params</c> (the parameters as <see cref="StudyDefinitionJson.WriteParameters"/> writes them) and <c>vals</c>
/// (the objective values). Expressions must yield <c>NULL</c> where the trial has no such value.
/// </remarks>
public interface ISqlDialect
{
    /// <summary>Gets the character that starts a named parameter in SQL text: <c>@</c> (PostgreSQL through Npgsql, SQL Server), <c>$</c> or <c>:</c> (SQLite).</summary>
    char ParameterPrefix { get; }

    /// <summary>Gets the SQL of the trial's first objective value when it is a finite number, else <c>NULL</c>.</summary>
    string FirstValue { get; }

    /// <summary>Gets the SQL of the trial's duration in seconds (finished minus started, a floating-point number), <c>NULL</c> while either is missing.</summary>
    string DurationSeconds { get; }

    /// <summary>Gets the SQL of a column of the trial table, as it must appear in a query over that table (qualified by its alias, if any).</summary>
    /// <param name="name">One of <c>number</c>, <c>state</c>, <c>owner</c>, <c>fail_reason</c>, <c>started_at</c>, <c>finished_at</c>, <c>params</c>, <c>vals</c>.</param>
    /// <returns>The SQL.</returns>
    string Column(string name);

    /// <summary>Gets the SQL of a parameter's internal value (<see cref="SearchSpaces.Distribution.ToInternal"/>, a floating-point number) read from the trial's <c>params</c>.</summary>
    /// <param name="keyPlaceholder">The placeholder bound to <see cref="ParameterKey"/> of the parameter's name.</param>
    /// <returns>The SQL.</returns>
    string ParameterValue(string keyPlaceholder);

    /// <summary>Gets the value bound to the placeholder of <see cref="ParameterValue"/> for a parameter (its name, or a JSON path to it).</summary>
    /// <param name="name">The parameter's name.</param>
    /// <returns>The value.</returns>
    object ParameterKey(string name);

    /// <summary>Gets the SQL of a condition that holds when <paramref name="expression"/> equals one of a list of numbers.</summary>
    /// <param name="expression">The SQL of a number.</param>
    /// <param name="listPlaceholder">The placeholder bound to <see cref="List"/> of the numbers.</param>
    /// <returns>The SQL.</returns>
    string InList(string expression, string listPlaceholder);

    /// <summary>Gets the value bound to the placeholder of <see cref="InList"/> (an array, or a JSON array as text).</summary>
    /// <param name="values">The numbers.</param>
    /// <returns>The value.</returns>
    object List(IReadOnlyList<double> values);

    /// <summary>
    /// Gets the SQL of a condition that holds when <paramref name="expression"/> (text) matches a <c>LIKE</c> pattern whose escape
    /// character is <c>\</c>, ignoring the case of the ASCII letters only (as <see cref="TrialFilter"/> does); the pattern's letters
    /// are lower case.
    /// </summary>
    /// <param name="expression">The SQL of the text.</param>
    /// <param name="patternPlaceholder">The placeholder bound to the pattern.</param>
    /// <returns>The SQL.</returns>
    string ContainsIgnoringAsciiCase(string expression, string patternPlaceholder);

    /// <summary>Gets the SQL of <paramref name="expression"/> (text) ordered by its characters' codes, whatever the database's collation.</summary>
    /// <param name="expression">The SQL of the text.</param>
    /// <returns>The SQL.</returns>
    string BinaryOrder(string expression);
}
