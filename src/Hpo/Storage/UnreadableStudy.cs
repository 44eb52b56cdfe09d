namespace Hpo.Storage;

/// <summary>A study whose stored definition cannot be read.</summary>
/// <param name="Id">The study's id.</param>
/// <param name="Name">The study's name, as stored beside its definition.</param>
/// <param name="Reason">Why the definition cannot be read.</param>
public sealed record UnreadableStudy(long Id, string Name, string Reason);
