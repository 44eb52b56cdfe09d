using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Tests.Storage;

/// <summary>
/// A storage that passes every call to an inner one, except the finishes that <see cref="FailFinish"/> picks, which throw a
/// <see cref="StorageException"/> without reaching the inner storage (a unit-test stand-in for a database that refuses a write).
/// </summary>
internal sealed class FaultyStorage(IStudyStorage inner) : IStudyStorage
{
    private int finishCalls;
    private int refusedFinishes;

    /// <summary>Gets or sets which finishes fail: given the call's ordinal (0 for the first finish) and the finish.</summary>
    public Func<int, TrialFinish, bool> FailFinish { get; set; } = (_, _) => false;

    /// <summary>Gets how many finishes were refused.</summary>
    public int RefusedFinishes => Volatile.Read(ref refusedFinishes);

    public ValueTask<StudyRecord> CreateStudyAsync(StudyDefinition definition, CancellationToken cancellationToken) => inner.CreateStudyAsync(definition, cancellationToken);

    public ValueTask<StudyRecord?> GetStudyAsync(string name, CancellationToken cancellationToken) => inner.GetStudyAsync(name, cancellationToken);

    public ValueTask<StudyRecord?> GetStudyAsync(long studyId, CancellationToken cancellationToken) => inner.GetStudyAsync(studyId, cancellationToken);

    public ValueTask<IReadOnlyList<StudyRecord>> GetStudiesAsync(CancellationToken cancellationToken) => inner.GetStudiesAsync(cancellationToken);

    public ValueTask<bool> DeleteStudyAsync(string name, CancellationToken cancellationToken) => inner.DeleteStudyAsync(name, cancellationToken);

    public ValueTask<TrialRecord> EnqueueTrialAsync(long studyId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken) => inner.EnqueueTrialAsync(studyId, parameters, cancellationToken);

    public ValueTask<TrialRecord?> StartTrialAsync(long studyId, string owner, CancellationToken cancellationToken) => inner.StartTrialAsync(studyId, owner, cancellationToken);

    public ValueTask<TrialRecord> SetTrialParametersAsync(long trialId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken) => inner.SetTrialParametersAsync(trialId, parameters, cancellationToken);

    public ValueTask ReportIntermediateValueAsync(long trialId, long step, double value, CancellationToken cancellationToken) => inner.ReportIntermediateValueAsync(trialId, step, value, cancellationToken);

    public ValueTask SetTrialUserAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken) => inner.SetTrialUserAttributeAsync(trialId, key, value, cancellationToken);

    public ValueTask SetTrialSystemAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken) => inner.SetTrialSystemAttributeAsync(trialId, key, value, cancellationToken);

    public ValueTask<TrialRecord> FinishTrialAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref finishCalls) - 1;
        if (FailFinish(call, finish))
        {
            Interlocked.Increment(ref refusedFinishes);
            throw new StorageException($"Simulated storage failure on finish call {call}.");
        }

        return inner.FinishTrialAsync(trialId, finish, cancellationToken);
    }

    public ValueTask<int> RenewHeartbeatsAsync(long studyId, string owner, CancellationToken cancellationToken) => inner.RenewHeartbeatsAsync(studyId, owner, cancellationToken);

    public ValueTask<IReadOnlyList<TrialRecord>> FailOrphanedTrialsAsync(long studyId, CancellationToken cancellationToken) => inner.FailOrphanedTrialsAsync(studyId, cancellationToken);

    public ValueTask<TrialRecord?> FailAbandonedTrialAsync(long trialId, string owner, string reason, CancellationToken cancellationToken) => inner.FailAbandonedTrialAsync(trialId, owner, reason, cancellationToken);

    public ValueTask<TrialRecord?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken) => inner.GetTrialAsync(studyId, number, cancellationToken);

    public ValueTask<TrialChanges> GetTrialsAsync(long studyId, long sinceVersion, CancellationToken cancellationToken) => inner.GetTrialsAsync(studyId, sinceVersion, cancellationToken);

    public ValueTask<IReadOnlyList<TrialRecord>> GetTrialsAsync(long studyId, CancellationToken cancellationToken) => inner.GetTrialsAsync(studyId, cancellationToken);

    public ValueTask<TrialCounts> GetTrialCountsAsync(long studyId, CancellationToken cancellationToken) => inner.GetTrialCountsAsync(studyId, cancellationToken);

    public ValueTask<TrialRecord?> GetBestTrialAsync(long studyId, CancellationToken cancellationToken) => inner.GetBestTrialAsync(studyId, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
