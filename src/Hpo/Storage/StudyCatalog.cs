namespace Hpo.Storage;

/// <summary>
/// Every study of a storage, as <see cref="StudyStorageBase.GetStudyCatalogAsync"/> reads them: those whose stored definition can
/// be read, and those whose definition cannot (damaged by hand, written by an incompatible release), each with the reason, so that one
/// bad study does not hide all the others.
/// </summary>
/// <param name="Studies">The readable studies, by id.</param>
/// <param name="Unreadable">The studies whose definition cannot be read, by id.</param>
public sealed record StudyCatalog(IReadOnlyList<StudyRecord> Studies, IReadOnlyList<UnreadableStudy> Unreadable);
