namespace Hpo.Storage.Sqlite;

/// <summary>
/// The SQL of the trial writes that the lifecycle's primitives make, one text per set of columns written, built once and kept:
/// a write binds and stores only the columns it sets (an insert leaves empty and unset columns at their defaults, an update
/// writes only the fields that changed), and each text keeps its own prepared statement on a pooled connection.
/// </summary>
internal static class SqliteTrialWriteSql
{
    /// <summary>The optional columns of a new trial's row, by bit: each is written only when the trial has a value for it.</summary>
    public static readonly string[] InsertColumns = ["params", "user_attrs", "system_attrs", "started_at", "owner", "heartbeat"];

    /// <summary>The columns an update may write, by bit: each is written only when its value changed.</summary>
    public static readonly string[] UpdateColumns = ["state", "vals", "fail_reason", "exception_type", "started_at", "finished_at", "owner", "heartbeat", "params", "user_attrs", "system_attrs"];

    /// <summary>The parameter names of <see cref="InsertColumns"/> (<c>$</c> and the column's name).</summary>
    public static readonly string[] InsertParameters = [.. InsertColumns.Select(Parameter)];

    /// <summary>The parameter names of <see cref="UpdateColumns"/> (<c>$</c> and the column's name).</summary>
    public static readonly string[] UpdateParameters = [.. UpdateColumns.Select(Parameter)];

    private static readonly string?[] Inserts = new string?[1 << InsertColumns.Length];
    private static readonly string?[] Updates = new string?[1 << UpdateColumns.Length];

    /// <summary>
    /// Gets an insert and its parameters: the fixed ones given, then each optional column (<see cref="InsertColumns"/>, in that
    /// order) whose value is not <see langword="null"/>; a column left out keeps its default.
    /// </summary>
    /// <param name="fixedParameters">The study, number, state, creation time and version (<c>$s</c>, <c>$n</c>, <c>$state</c>, <c>$now</c>, <c>$v</c>).</param>
    /// <param name="optional">A value per entry of <see cref="InsertColumns"/>, <see langword="null"/> for the column's default.</param>
    /// <returns>The SQL text and the parameters to bind.</returns>
    public static (string Sql, (string Name, object? Value)[] Parameters) Insert(ReadOnlySpan<(string Name, object? Value)> fixedParameters, ReadOnlySpan<object?> optional)
    {
        int columns = 0, count = fixedParameters.Length;
        for (int i = 0; i < optional.Length; i++)
        {
            if (optional[i] is not null)
            {
                columns |= 1 << i;
                count++;
            }
        }

        var parameters = new (string Name, object? Value)[count];
        fixedParameters.CopyTo(parameters);
        int k = fixedParameters.Length;
        for (int i = 0; i < optional.Length; i++)
        {
            if (optional[i] is { } value)
            {
                parameters[k++] = (InsertParameters[i], value);
            }
        }

        return (InsertText(columns), parameters);
    }

    /// <summary>
    /// Gets an update and its parameters: each column of <see cref="UpdateColumns"/> (in that order) whose bit is set in
    /// <paramref name="changed"/>, with its value (<see langword="null"/> writes NULL), then the version and the row's id.
    /// </summary>
    /// <param name="changed">A bit per entry of <see cref="UpdateColumns"/>: the columns to write.</param>
    /// <param name="values">A value per entry of <see cref="UpdateColumns"/> (only those of the set bits are read).</param>
    /// <param name="version">The study's new version (<c>$v</c>).</param>
    /// <param name="id">The trial's id (<c>$id</c>).</param>
    /// <returns>The SQL text and the parameters to bind.</returns>
    public static (string Sql, (string Name, object? Value)[] Parameters) Update(int changed, ReadOnlySpan<object?> values, long version, long id)
    {
        var parameters = new (string Name, object? Value)[System.Numerics.BitOperations.PopCount((uint)changed) + 2];
        int k = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if ((changed & (1 << i)) != 0)
            {
                parameters[k++] = (UpdateParameters[i], values[i]);
            }
        }

        parameters[k++] = ("$v", version);
        parameters[k] = ("$id", id);
        return (UpdateText(changed), parameters);
    }

    private static string Parameter(string column) => "$" + column;

    /// <summary>
    /// Gets the insert of a trial row that writes the study, number, state, creation time and version, and the optional columns
    /// whose bits are set in <paramref name="columns"/> (the new row's id is the connection's last inserted row id).
    /// </summary>
    /// <param name="columns">A bit per entry of <see cref="InsertColumns"/>.</param>
    /// <returns>The SQL text (the same instance for the same columns).</returns>
    private static string InsertText(int columns) => Inserts[columns] ??= BuildInsert(columns);

    /// <summary>Gets the update of a trial row (by <c>$id</c>) that writes its version and the columns whose bits are set in <paramref name="columns"/>.</summary>
    /// <param name="columns">A bit per entry of <see cref="UpdateColumns"/>.</param>
    /// <returns>The SQL text (the same instance for the same columns).</returns>
    private static string UpdateText(int columns) => Updates[columns] ??= BuildUpdate(columns);

    private static string BuildInsert(int columns)
    {
        var names = new List<string> { "study_id", "number", "state", "created_at", "version" };
        var values = new List<string> { "$s", "$n", "$state", "$now", "$v" };
        for (int i = 0; i < InsertColumns.Length; i++)
        {
            if ((columns & (1 << i)) != 0)
            {
                names.Add(InsertColumns[i]);
                values.Add(InsertParameters[i]);
            }
        }

        return $"INSERT INTO trials ({string.Join(", ", names)}) VALUES ({string.Join(", ", values)})";
    }

    private static string BuildUpdate(int columns)
    {
        var set = new List<string>();
        for (int i = 0; i < UpdateColumns.Length; i++)
        {
            if ((columns & (1 << i)) != 0)
            {
                set.Add($"{UpdateColumns[i]} = {UpdateParameters[i]}");
            }
        }

        set.Add("version = $v");
        return $"UPDATE trials SET {string.Join(", ", set)} WHERE id = $id";
    }
}
