using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>
/// A base for storages: implements the derived queries (all trials, counts, best trial) on top of
/// <see cref="GetTrialsAsync(long, long, CancellationToken)"/>; providers override them where they can do better.
/// </summary>
public abstract class StudyStorageBase : IStudyStorage
{
    /// <inheritdoc/>
    public abstract ValueTask<StudyRecord> CreateStudyAsync(StudyDefinition definition, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<StudyRecord?> GetStudyAsync(string name, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<StudyRecord?> GetStudyAsync(long studyId, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<IReadOnlyList<StudyRecord>> GetStudiesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Gets every study, with those whose stored definition cannot be read listed apart with the reason instead of failing the whole
    /// list (<see cref="GetStudiesAsync"/> fails on the first such study). Storages that can store a damaged definition override it.
    /// </summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The readable and the unreadable studies.</returns>
    public virtual async ValueTask<StudyCatalog> GetStudyCatalogAsync(CancellationToken cancellationToken) =>
        new(await GetStudiesAsync(cancellationToken).ConfigureAwait(false), []);

    /// <summary>Reads one study's stored definition, or says why it cannot be read (for <see cref="GetStudyCatalogAsync"/>).</summary>
    /// <param name="id">The study's id.</param>
    /// <param name="name">The study's stored name.</param>
    /// <param name="definitionJson">The stored definition.</param>
    /// <param name="createdAt">When the study was created.</param>
    /// <param name="studies">Where a readable study goes.</param>
    /// <param name="unreadable">Where an unreadable one goes.</param>
    protected static void AddToCatalog(long id, string name, string definitionJson, DateTimeOffset createdAt, List<StudyRecord> studies, List<UnreadableStudy> unreadable)
    {
        ArgumentNullException.ThrowIfNull(studies);
        ArgumentNullException.ThrowIfNull(unreadable);
        try
        {
            studies.Add(new StudyRecord(id, StudyDefinition.FromJson(definitionJson), createdAt));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException or InvalidCastException or OverflowException or NotSupportedException)
        {
            unreadable.Add(new UnreadableStudy(id, name, $"{e.GetType().Name}: {e.Message}"));
        }
    }

    /// <inheritdoc/>
    public abstract ValueTask<bool> DeleteStudyAsync(string name, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<TrialRecord> EnqueueTrialAsync(long studyId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<TrialRecord?> StartTrialAsync(long studyId, string owner, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<TrialRecord> SetTrialParametersAsync(long trialId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask ReportIntermediateValueAsync(long trialId, long step, double value, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask SetTrialUserAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask SetTrialSystemAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<TrialRecord> FinishTrialAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public virtual async ValueTask<FinishAndStartResult> FinishAndStartTrialAsync(long trialId, TrialFinish finish, long studyId, string owner, CancellationToken cancellationToken)
    {
        TrialRecord finished = await FinishTrialAsync(trialId, finish, cancellationToken).ConfigureAwait(false);
        return new FinishAndStartResult(finished, await StartTrialAsync(studyId, owner, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    public abstract ValueTask<int> RenewHeartbeatsAsync(long studyId, string owner, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<IReadOnlyList<TrialRecord>> FailOrphanedTrialsAsync(long studyId, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<TrialRecord?> FailAbandonedTrialAsync(long trialId, string owner, string reason, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<TrialChanges> GetTrialsAsync(long studyId, long sinceVersion, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public virtual async ValueTask<TrialRecord?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrialRecord> all = await GetTrialsAsync(studyId, cancellationToken).ConfigureAwait(false);
        return number >= 0 && number < all.Count && all[number].Number == number ? all[number] : all.FirstOrDefault(t => t.Number == number);
    }

    /// <inheritdoc/>
    public virtual async ValueTask<IReadOnlyList<TrialRecord>> GetTrialsAsync(long studyId, CancellationToken cancellationToken) =>
        (await GetTrialsAsync(studyId, 0, cancellationToken).ConfigureAwait(false)).Trials;

    /// <inheritdoc/>
    public virtual async ValueTask<TrialCounts> GetTrialCountsAsync(long studyId, CancellationToken cancellationToken)
    {
        var counts = default(TrialCounts);
        foreach (TrialRecord t in await GetTrialsAsync(studyId, cancellationToken).ConfigureAwait(false))
        {
            counts = counts.Add(t.State);
        }

        return counts;
    }

    /// <inheritdoc/>
    public virtual async ValueTask<TrialRecord?> GetBestTrialAsync(long studyId, CancellationToken cancellationToken)
    {
        StudyRecord study = await GetStudyAsync(studyId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"There is no study with id {studyId}.");
        TrialRecord? best = null;
        foreach (TrialRecord t in await GetTrialsAsync(studyId, cancellationToken).ConfigureAwait(false))
        {
            if (IsBetter(t, best, study.Definition.Direction))
            {
                best = t;
            }
        }

        return best;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Determines whether <paramref name="candidate"/> is a complete trial better than <paramref name="best"/>.</summary>
    /// <param name="candidate">The trial to compare.</param>
    /// <param name="best">The best trial so far, or <see langword="null"/>.</param>
    /// <param name="direction">The study's direction.</param>
    /// <returns><see langword="true"/> if the candidate is better (ties go to the lower number).</returns>
    protected internal static bool IsBetter(TrialRecord candidate, TrialRecord? best, StudyDirection direction)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.State != TrialState.Complete || candidate.Value is not double v)
        {
            return false;
        }

        if (best?.Value is not double b)
        {
            return true;
        }

        return direction == StudyDirection.Minimize
            ? v < b || (v == b && candidate.Number < best.Number)
            : v > b || (v == b && candidate.Number < best.Number);
    }

    /// <summary>Releases the storage's resources.</summary>
    /// <returns>A task that completes when the resources are released.</returns>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
