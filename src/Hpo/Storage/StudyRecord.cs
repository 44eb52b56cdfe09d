namespace Hpo.Storage;

/// <summary>A study as a storage holds it: its identifier, definition and creation time.</summary>
/// <param name="Id">The storage's identifier of the study.</param>
/// <param name="Definition">The study's definition.</param>
/// <param name="CreatedAt">When the study was created.</param>
public sealed record StudyRecord(long Id, StudyDefinition Definition, DateTimeOffset CreatedAt)
{
    /// <summary>Gets the study's name.</summary>
    public string Name => Definition.Name;
}
