namespace Hpo.Cli.Formatting;

/// <summary>One named value of an <see cref="OutputRecord"/>.</summary>
/// <param name="Name">The field's name: a JSON property, a CSV column, a table header.</param>
/// <param name="Value">
/// <see langword="null"/>, a <see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="DateTimeOffset"/>, <see cref="TimeSpan"/> (written as seconds in JSON and CSV), or a nested <see cref="OutputRecord"/>
/// (a JSON object; in tables and CSV one column per nested field, named <c>outer.inner</c>).
/// </param>
internal sealed record OutputField(string Name, object? Value);

/// <summary>An ordered set of fields: one study, one trial, one status.</summary>
/// <param name="Fields">The fields, in display order.</param>
internal sealed record OutputRecord(IReadOnlyList<OutputField> Fields)
{
    /// <summary>Gets the value of a field, or <see langword="null"/> when the record has no such field.</summary>
    /// <param name="name">The field's name.</param>
    public object? this[string name] => Fields.FirstOrDefault(f => f.Name == name)?.Value;

    /// <summary>Flattens nested records into <c>outer.inner</c> fields, keeping the order.</summary>
    /// <returns>The flat fields.</returns>
    public IReadOnlyList<OutputField> Flatten()
    {
        var flat = new List<OutputField>(Fields.Count);
        foreach (OutputField field in Fields)
        {
            if (field.Value is OutputRecord nested)
            {
                flat.AddRange(nested.Flatten().Select(f => f with { Name = field.Name + "." + f.Name }));
            }
            else
            {
                flat.Add(field);
            }
        }

        return flat;
    }
}

/// <summary>What a command prints: either one object (<c>status</c>, <c>best</c>, <c>create</c>) or a list of rows (<c>studies</c>, <c>trials</c>).</summary>
/// <param name="Records">The records; exactly one when <paramref name="IsSingle"/>.</param>
/// <param name="IsSingle">Whether the document is one object rather than a list.</param>
/// <param name="EmptyColumns">The columns a table or CSV shows when the list is empty (so a header is still printed).</param>
internal sealed record OutputDocument(IReadOnlyList<OutputRecord> Records, bool IsSingle, IReadOnlyList<string>? EmptyColumns = null)
{
    /// <summary>Creates a document of one object.</summary>
    /// <param name="record">The object.</param>
    /// <returns>The document.</returns>
    public static OutputDocument Single(OutputRecord record) => new([record], IsSingle: true);

    /// <summary>Creates a document of rows.</summary>
    /// <param name="records">The rows.</param>
    /// <param name="emptyColumns">The header to show when there are no rows.</param>
    /// <returns>The document.</returns>
    public static OutputDocument List(IEnumerable<OutputRecord> records, IReadOnlyList<string>? emptyColumns = null) => new([.. records], IsSingle: false, emptyColumns);

    /// <summary>
    /// Gets the flat column names of every record. A column first seen in a later record is placed right before the column that
    /// follows it in that record, so a conditional parameter lands beside its siblings rather than at the end.
    /// </summary>
    /// <returns>The column names, in order; <see cref="EmptyColumns"/> when there are no records.</returns>
    public IReadOnlyList<string> Columns()
    {
        if (Records.Count == 0)
        {
            return EmptyColumns ?? [];
        }

        var columns = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (OutputRecord record in Records)
        {
            // Walk the record backwards: each new column goes just before the record's next known column (or at the end).
            IReadOnlyList<OutputField> fields = record.Flatten();
            int insertAt = columns.Count;
            for (int i = fields.Count - 1; i >= 0; i--)
            {
                string name = fields[i].Name;
                if (known.Add(name))
                {
                    columns.Insert(insertAt, name);
                }
                else
                {
                    insertAt = columns.IndexOf(name);
                }
            }
        }

        return columns;
    }
}
