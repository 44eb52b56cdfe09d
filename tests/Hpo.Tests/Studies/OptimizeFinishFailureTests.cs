using Hpo.Scheduling;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Tests.Storage;
using Hpo.Trials;

namespace Hpo.Tests.Studies;

/// <summary>
/// A finish the storage refuses (a PostgreSQL outage longer than its retry window, SQLite's busy timeout) must not leave the trial
/// Running under the worker's heartbeats, kill a worker loop, or hang a run whose other loops wait for the budget.
/// </summary>
public sealed class OptimizeFinishFailureTests
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", -5, 5).Build();

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static async Task<(FaultyStorage Storage, Study Study)> CreateAsync(Func<int, TrialFinish, bool> failFinish)
    {
        var storage = new FaultyStorage(new InMemoryStudyStorage()) { FailFinish = failFinish };
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Seed = 4, Budget = 3 });
        return (storage, study);
    }

    [Fact]
    public async Task OptimizeAsync_FinishThrowsOnce_ResultRetriedNothingRunningRunEnds()
    {
        (FaultyStorage storage, Study study) = await CreateAsync((call, _) => call == 0);

        OptimizeResult result = await study.OptimizeAsync(t => t.Get<double>("x") * t.Get<double>("x"), new OptimizeOptions { Concurrency = 2 }).WaitAsync(Limit);

        Assert.Equal(1, storage.RefusedFinishes);
        Assert.Equal(OptimizeStopReason.BudgetReached, result.StopReason);
        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(3, trials.Count(t => t.State == TrialState.Complete));
        Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
        Assert.All(trials.Where(t => t.State == TrialState.Complete), t => Assert.Equal(Math.Pow((double)t.Parameters["x"], 2), t.Value));
    }

    [Fact]
    public async Task OptimizeAsync_FinishOfOneResultAlwaysThrows_TrialFailedWithTheReasonOthersComplete()
    {
        // The first trial's result is refused every time; recording it as failed is accepted. The two worker loops can finish at
        // the same moment: the first result is chosen under a lock, or both could be taken for "the first" and both refused once.
        long? refused = null;
        var gate = new object();
        (FaultyStorage storage, Study study) = await CreateAsync((_, finish) =>
        {
            if (finish.State != TrialState.Complete)
            {
                return false;
            }

            long bits = BitConverter.DoubleToInt64Bits(finish.Values[0]);
            lock (gate)
            {
                refused ??= bits;
                return refused == bits;
            }
        });

        OptimizeResult result = await study.OptimizeAsync(t => t.Get<double>("x"), new OptimizeOptions { Concurrency = 2 }).WaitAsync(Limit);

        Assert.Equal(1 + TrialScheduler.FinishRetryDelays.Length, storage.RefusedFinishes);
        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
        TrialRecord failed = Assert.Single(trials, t => t.State == TrialState.Failed);
        Assert.Contains("could not be recorded", failed.FailReason, StringComparison.Ordinal);
        Assert.Contains("Simulated storage failure", failed.FailReason, StringComparison.Ordinal);
        Assert.Equal(3, result.Counts.Complete + result.Counts.Failed);
    }

    [Fact]
    public async Task OptimizeAsync_StorageRefusesEveryFinish_RunStopsWithTheStorageErrorInsteadOfHanging()
    {
        (FaultyStorage storage, Study study) = await CreateAsync((_, _) => true);

        await Assert.ThrowsAsync<StorageException>(() => study.OptimizeAsync(t => 1.0, new OptimizeOptions { Concurrency = 2 }).WaitAsync(Limit));
        Assert.True(storage.RefusedFinishes >= 2 + TrialScheduler.FinishRetryDelays.Length);
    }
}
