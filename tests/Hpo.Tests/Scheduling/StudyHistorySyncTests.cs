using Hpo.Scheduling;
using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tests.Scheduling;

/// <summary>Overlapping <see cref="StudyHistory.SyncAsync"/> calls (kept apart from other StudyHistory tests, which live in their own branch).</summary>
public sealed class StudyHistorySyncTests
{
    [Fact]
    public async Task SyncAsync_OverlappingSyncs_NeverPutBackAnOlderCopyOfARunningTrial()
    {
        await using var inner = new InMemoryStudyStorage();
        var storage = new HeldReadsStorage(inner);
        StudyRecord study = await storage.CreateStudyAsync(new StudyDefinition
        {
            Name = "s",
            SearchSpace = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build(),
            Directions = [StudyDirection.Minimize],
            TunerName = "random",
            Seed = 1,
        }, CancellationToken.None);
        TrialRecord trial = (await storage.StartTrialAsync(study.Id, "me", CancellationToken.None))!;
        await storage.ReportIntermediateValueAsync(trial.Id, 1, 0.5, CancellationToken.None);
        var history = new StudyHistory(StudyDirection.Minimize);

        // A reads the trial with one value and is held before it applies it; meanwhile the trial reports a second value and
        // B syncs. Whatever order they finish in, the history must end with both values.
        storage.HoldNextRead();
        Task<IReadOnlyList<TrialRecord>> a = history.SyncAsync(storage, study.Id, CancellationToken.None).AsTask();
        await storage.ReadHeld.WaitAsync(TimeSpan.FromSeconds(10));
        await storage.ReportIntermediateValueAsync(trial.Id, 2, 0.25, CancellationToken.None);
        Task<IReadOnlyList<TrialRecord>> b = history.SyncAsync(storage, study.Id, CancellationToken.None).AsTask();
        await Task.WhenAny(b, Task.Delay(200));
        storage.ReleaseHeldRead();
        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([1L, 2], history.Trials[0].IntermediateValues.Keys);
        Assert.Equal([1L, 2], (await history.SyncAsync(storage, study.Id, CancellationToken.None))[0].IntermediateValues.Keys);
    }

    /// <summary>An in-memory storage whose next change read can be held after it has read, before it returns.</summary>
    private sealed class HeldReadsStorage(InMemoryStudyStorage inner) : StudyStorageBase
    {
        private readonly TaskCompletionSource readHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int hold;

        public Task ReadHeld => readHeld.Task;

        public void HoldNextRead() => hold = 1;

        public void ReleaseHeldRead() => release.TrySetResult();

        public override async ValueTask<TrialChanges> GetTrialsAsync(long studyId, long sinceVersion, CancellationToken cancellationToken)
        {
            TrialChanges changes = await inner.GetTrialsAsync(studyId, sinceVersion, cancellationToken);
            if (Interlocked.Exchange(ref hold, 0) == 1)
            {
                readHeld.TrySetResult();
                await release.Task;
            }

            return changes;
        }

        public override ValueTask<StudyRecord> CreateStudyAsync(StudyDefinition definition, CancellationToken cancellationToken) => inner.CreateStudyAsync(definition, cancellationToken);

        public override ValueTask<StudyRecord?> GetStudyAsync(string name, CancellationToken cancellationToken) => inner.GetStudyAsync(name, cancellationToken);

        public override ValueTask<StudyRecord?> GetStudyAsync(long studyId, CancellationToken cancellationToken) => inner.GetStudyAsync(studyId, cancellationToken);

        public override ValueTask<IReadOnlyList<StudyRecord>> GetStudiesAsync(CancellationToken cancellationToken) => inner.GetStudiesAsync(cancellationToken);

        public override ValueTask<bool> DeleteStudyAsync(string name, CancellationToken cancellationToken) => inner.DeleteStudyAsync(name, cancellationToken);

        public override ValueTask<TrialRecord> EnqueueTrialAsync(long studyId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken) => inner.EnqueueTrialAsync(studyId, parameters, cancellationToken);

        public override ValueTask<TrialRecord?> StartTrialAsync(long studyId, string owner, CancellationToken cancellationToken) => inner.StartTrialAsync(studyId, owner, cancellationToken);

        public override ValueTask<TrialRecord> SetTrialParametersAsync(long trialId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken) => inner.SetTrialParametersAsync(trialId, parameters, cancellationToken);

        public override ValueTask ReportIntermediateValueAsync(long trialId, long step, double value, CancellationToken cancellationToken) => inner.ReportIntermediateValueAsync(trialId, step, value, cancellationToken);

        public override ValueTask SetTrialUserAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken) => inner.SetTrialUserAttributeAsync(trialId, key, value, cancellationToken);

        public override ValueTask SetTrialSystemAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken) => inner.SetTrialSystemAttributeAsync(trialId, key, value, cancellationToken);

        public override ValueTask<TrialRecord> FinishTrialAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken) => inner.FinishTrialAsync(trialId, finish, cancellationToken);

        public override ValueTask<int> RenewHeartbeatsAsync(long studyId, string owner, CancellationToken cancellationToken) => inner.RenewHeartbeatsAsync(studyId, owner, cancellationToken);

        public override ValueTask<IReadOnlyList<TrialRecord>> FailOrphanedTrialsAsync(long studyId, CancellationToken cancellationToken) => inner.FailOrphanedTrialsAsync(studyId, cancellationToken);

        public override ValueTask<TrialRecord?> FailAbandonedTrialAsync(long trialId, string owner, string reason, CancellationToken cancellationToken) => inner.FailAbandonedTrialAsync(trialId, owner, reason, cancellationToken);
    }
}
