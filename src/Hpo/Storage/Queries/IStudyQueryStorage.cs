namespace Hpo.Storage;

/// <summary>
/// An optional read capability of a storage: one page of a study's trials, filtered and sorted by the storage itself, so that a
/// viewer (the dashboard, a report, a notebook) of a 100,000-trial study reads 50 rows instead of every trial.
/// </summary>
/// <remarks>
/// <para>
/// SQLite and PostgreSQL implement it in SQL; any other <see cref="IStudyStorage"/> gets the same answers from
/// <see cref="StudyQueries.AsQueryStorage(IStudyStorage)"/>, which reads every trial and runs <see cref="TrialQuery.Apply"/> over
/// them. Counts by state and the best trial are <see cref="IStudyStorage.GetTrialCountsAsync"/> and
/// <see cref="IStudyStorage.GetBestTrialAsync"/>, which those storages already answer from aggregates.
/// </para>
/// <para>
/// An implementation must return what <see cref="TrialQuery.Apply"/> returns over the study's trials at some instant: the same
/// trials, in the same order, with the same counts (a differential test checks SQLite and PostgreSQL against it). The page's
/// trials carry their intermediate values. Added in 0.3.
/// </para>
/// </remarks>
public interface IStudyQueryStorage
{
    /// <summary>Gets one page of a study's trials: filtered, sorted, then <see cref="TrialQuery.Offset"/> and <see cref="TrialQuery.Limit"/> applied.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="query">The filter, the sort and the page; validate it first with <see cref="TrialQuery.Validate"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The page, with the number of trials the filter matches and the study's total.</returns>
    /// <exception cref="ArgumentException">The query names a parameter the study does not have, or a range on a categorical parameter.</exception>
    /// <exception cref="InvalidOperationException">There is no study with that identifier.</exception>
    ValueTask<TrialPage> QueryTrialsAsync(long studyId, TrialQuery query, CancellationToken cancellationToken);
}
