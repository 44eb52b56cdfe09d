using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Extensions.Time.Testing;

namespace Hpo.Storage.Testing;

/// <summary>Stale trials and the retry policy: what every storage does when a worker is lost or a failure is retried.</summary>
public abstract partial class StudyStorageConformanceTests
{
    /// <summary>Starts a trial with parameters, intermediate values and attributes, as a retry should copy them.</summary>
    private static async Task<TrialRecord> StartRichTrialAsync(IStudyStorage storage, long studyId, string owner)
    {
        TrialRecord t = await StartAsync(storage, studyId, owner);
        await storage.SetTrialParametersAsync(t.Id, Params(1.5, 20, "b"), CancellationToken.None);
        await storage.ReportIntermediateValueAsync(t.Id, 1, 0.5, CancellationToken.None);
        await storage.ReportIntermediateValueAsync(t.Id, 2, 0.25, CancellationToken.None);
        await storage.SetTrialUserAttributeAsync(t.Id, "checkpoint", "/ckpt/epoch-2", CancellationToken.None);
        await storage.SetTrialSystemAttributeAsync(t.Id, "generation", "4", CancellationToken.None);
        return t;
    }

    private static void AssertRetryOf(TrialRecord original, TrialRecord retry, int attempt)
    {
        Assert.Equal(TrialState.Waiting, retry.State);
        Assert.NotEqual(original.Id, retry.Id);
        AssertParameters(original.Parameters, retry.Parameters);
        Assert.Equal(original.IntermediateValues, retry.IntermediateValues);
        Assert.Equal("/ckpt/epoch-2", retry.UserAttributes["checkpoint"]);
        Assert.Equal("4", retry.SystemAttributes["generation"]);
        Assert.Equal(original.Number, TrialRetry.RetryOf(retry));
        Assert.Equal(attempt, TrialRetry.Attempt(retry));
        Assert.Null(retry.Owner);
        Assert.Null(retry.StartedAt);
        Assert.Empty(retry.Values);
    }

    [Fact]
    public async Task FailOrphanedTrialsAsync_RetryPolicyOnLostWorkers_EnqueuesACopyThatRecordsItsOrigin()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(maxRetries: 1), CancellationToken.None);
        TrialRecord lost = await StartRichTrialAsync(storage, study.Id, "dead");
        long version = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;
        clock.Advance(TestLease + TimeSpan.FromSeconds(1));

        TrialRecord stale = Assert.Single(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None));
        TrialChanges changes = await storage.GetTrialsAsync(study.Id, version, CancellationToken.None);

        Assert.Equal(TrialState.Stale, stale.State);
        Assert.Equal([0, 1], changes.Trials.Select(t => t.Number));
        TrialRecord original = await GetTrialAsync(storage, study.Id, 0);
        AssertRetryOf(original, changes.Trials[1], attempt: 1);
        Assert.Equal(0.25, original.IntermediateValues[2]);
        Assert.Equal(new TrialCounts(1, 0, 0, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));

        // The retry runs before any new trial; when its own worker is lost, the policy (one retry) is spent.
        TrialRecord claimed = await StartAsync(storage, study.Id, "second");
        Assert.Equal(1, claimed.Number);
        Assert.Equal(original.IntermediateValues, claimed.IntermediateValues);
        AssertParameters(original.Parameters, claimed.Parameters);
        clock.Advance(TestLease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, Assert.Single(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None)).Number);
        Assert.Equal(2, (await storage.GetTrialsAsync(study.Id, CancellationToken.None)).Count);
        Assert.Equal(new TrialCounts(0, 0, 0, 0, 0) { Stale = 2 }, await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
        Assert.Equal(lost.Id, original.Id);
    }

    [Fact]
    public async Task StartTrialAsync_LeaseExpiredWithRetryPolicy_ClaimsTheRetryAndTheBudgetCountsItNotTheStaleTrial()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(budget: 2, maxRetries: 3), CancellationToken.None);
        TrialRecord lost = await StartRichTrialAsync(storage, study.Id, "dead");
        clock.Advance(TestLease + TimeSpan.FromSeconds(1));

        TrialRecord retry = await StartAsync(storage, study.Id, "live");
        TrialRecord fresh = await StartAsync(storage, study.Id, "live");
        TrialRecord? over = await storage.StartTrialAsync(study.Id, "live", CancellationToken.None);

        Assert.Equal(1, retry.Number);
        Assert.Equal(TrialState.Running, retry.State);
        Assert.Equal(lost.Number, TrialRetry.RetryOf(retry));
        Assert.Equal(2, retry.IntermediateValues.Count);
        Assert.Equal(2, fresh.Number);
        Assert.Null(TrialRetry.RetryOf(fresh));
        Assert.Null(over);
        await storage.FinishTrialAsync(retry.Id, new TrialFinish(TrialState.Complete, [1.0]), CancellationToken.None);
        await storage.FinishTrialAsync(fresh.Id, new TrialFinish(TrialState.Complete, [2.0]), CancellationToken.None);
        Assert.Equal(new TrialCounts(0, 0, 2, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
        Assert.Null(await storage.StartTrialAsync(study.Id, "live", CancellationToken.None));
    }

    [Fact]
    public async Task FailAbandonedTrialAsync_RetryPolicyOnLostWorkers_EnqueuesTheRetry()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(maxRetries: 2, retryOn: RetryOn.LostWorker | RetryOn.Exception), CancellationToken.None);
        TrialRecord t = await StartRichTrialAsync(storage, study.Id, "host:1:2:abc");

        TrialRecord? stale = await storage.FailAbandonedTrialAsync(t.Id, "host:1:2:abc", "Its process is gone.", CancellationToken.None);

        Assert.Equal(TrialState.Stale, stale?.State);
        AssertRetryOf(await GetTrialAsync(storage, study.Id, 0), await GetTrialAsync(storage, study.Id, 1), attempt: 1);
        Assert.Equal(new TrialCounts(1, 0, 0, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData(0, RetryOn.LostWorker, true)]
    [InlineData(2, RetryOn.Exception | RetryOn.Timeout, true)]
    [InlineData(2, RetryOn.LostWorker, false)]
    public async Task FailOrphanedTrialsAsync_PolicyDoesNotRetryOrNoParameters_EnqueuesNothing(int maxRetries, RetryOn retryOn, bool withParameters)
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(maxRetries: maxRetries, retryOn: retryOn), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id, "dead");
        if (withParameters)
        {
            await storage.SetTrialParametersAsync(t.Id, Params(1), CancellationToken.None);
        }

        clock.Advance(TestLease + TimeSpan.FromSeconds(1));
        Assert.Single(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None));

        Assert.Single(await storage.GetTrialsAsync(study.Id, CancellationToken.None));
        Assert.Equal(new TrialCounts(0, 0, 0, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task FinishTrialAsync_RetryAsNewTrial_FailsTheTrialAndEnqueuesItsRetryAtomically()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartRichTrialAsync(storage, study.Id, "w");
        long version = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;

        TrialRecord failed = await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Failed, [], "boom", "System.Exception") { RetryAsNewTrial = true }, CancellationToken.None);
        TrialChanges changes = await storage.GetTrialsAsync(study.Id, version, CancellationToken.None);

        Assert.Equal(TrialState.Failed, failed.State);
        Assert.Equal([0, 1], changes.Trials.Select(c => c.Number));
        AssertSameTrial(failed, changes.Trials[0]);
        AssertRetryOf(failed, changes.Trials[1], attempt: 1);
        Assert.Equal(new TrialCounts(1, 0, 0, 0, 1), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));

        // A retry of the retry is the second attempt and names the first retry as its origin.
        TrialRecord retry = await StartAsync(storage, study.Id, "w");
        await storage.FinishTrialAsync(retry.Id, new TrialFinish(TrialState.Failed, [], "boom again") { RetryAsNewTrial = true }, CancellationToken.None);
        TrialRecord second = await GetTrialAsync(storage, study.Id, 2);
        Assert.Equal(1, TrialRetry.RetryOf(second));
        Assert.Equal(2, TrialRetry.Attempt(second));
        Assert.Equal([1L, 2L], second.IntermediateValues.Keys);
    }

    [Theory]
    [InlineData(TrialState.Complete)]
    [InlineData(TrialState.Pruned)]
    public async Task FinishTrialAsync_RetryAsNewTrialWhenNotFailed_ThrowsAndKeepsTheTrialRunning(TrialState state)
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => storage.FinishTrialAsync(t.Id, FinishOf(state) with { RetryAsNewTrial = true }, CancellationToken.None).AsTask());

        Assert.Contains("Only a failed trial", e.Message, StringComparison.Ordinal);
        Assert.Equal(TrialState.Running, (await GetTrialAsync(storage, study.Id, 0)).State);
        Assert.Single(await storage.GetTrialsAsync(study.Id, CancellationToken.None));
    }
}
