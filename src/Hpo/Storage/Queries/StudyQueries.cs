using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>Extension methods that give any storage the <see cref="IStudyQueryStorage"/> read capability.</summary>
public static class StudyQueries
{
    /// <summary>
    /// Gets the storage's own <see cref="IStudyQueryStorage"/> when it has one (SQLite, PostgreSQL), or else one that reads every
    /// trial of the study and runs <see cref="TrialQuery.Apply"/> over them (right for in-memory and small storages).
    /// </summary>
    /// <param name="storage">The storage.</param>
    /// <returns>The query capability.</returns>
    public static IStudyQueryStorage AsQueryStorage(this IStudyStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage as IStudyQueryStorage ?? new ReadAllQueryStorage(storage);
    }

    /// <summary>The fallback: every trial read, then filtered, sorted and paged in memory.</summary>
    private sealed class ReadAllQueryStorage(IStudyStorage storage) : IStudyQueryStorage
    {
        public async ValueTask<TrialPage> QueryTrialsAsync(long studyId, TrialQuery query, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(query);
            StudyRecord study = await storage.GetStudyAsync(studyId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"There is no study with id {studyId}.");
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(studyId, cancellationToken).ConfigureAwait(false);
            return query.Apply(study.Definition, trials);
        }
    }
}
