using System.Diagnostics;
using System.Globalization;
using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Testing;
using Hpo.Tests.Storage;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Execution;

/// <summary>A worker killed with SIGKILL in the middle of a trial loses nothing, and the next worker resumes the study at once.</summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class ResumeAfterKillTests
{
    /// <summary>How long a worker may take to reach the state a test waits for.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private const int Budget = 20;
    private const int HangAt = 5;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task OptimizeAsync_AfterSigkill_MarksTheOrphanStaleAtOnceAndFinishesTheBudget(int maxRetries)
    {
        using var db = new TempDatabase();
        // A lease far longer than the test: the orphan can only become stale because its process is known to be gone.
        TimeSpan lease = TimeSpan.FromMinutes(5);
        using TestWorkerProcess first = TestWorkerProcess.Run(db.Url, "resumable", Budget, seed: 9, lease, TimeSpan.FromMilliseconds(30), hangAtTrial: HangAt, maxRetries: maxRetries);
        await using var storage = new SqliteStudyStorage(db.Path);
        try
        {
            // Wait until trials 0..4 are complete and trial 5 (which hangs) is running in the first worker.
            IReadOnlyList<TrialRecord> beforeKill = await first.WaitForTrialsAsync(storage, "resumable", Patience, trials =>
                trials.Count == HangAt + 1 && trials.Take(HangAt).All(t => t.State == TrialState.Complete) && trials[HangAt].State == TrialState.Running && trials[HangAt].IntermediateValues.Count > 0);
            long studyId = (await storage.GetStudyAsync("resumable", CancellationToken.None))!.Id;

            await first.KillAsync();

            // Everything the killed process committed is in the file; its running trial is still marked running under it.
            IReadOnlyList<TrialRecord> afterKill = await storage.GetTrialsAsync(studyId, CancellationToken.None);
            Assert.Equal(HangAt + 1, afterKill.Count);
            for (int i = 0; i < HangAt; i++)
            {
                Assert.Equal(TrialState.Complete, afterKill[i].State);
                Assert.Equal(beforeKill[i].Value, afterKill[i].Value);
            }

            TrialRecord orphan = afterKill[HangAt];
            Assert.Equal(TrialState.Running, orphan.State);
            Assert.Equal(first.Id.ToString(CultureInfo.InvariantCulture), orphan.Owner!.Split(':')[1]);
            Assert.Equal(new TrialCounts(0, 1, HangAt, 0, 0), await storage.GetTrialCountsAsync(studyId, CancellationToken.None));

            var clock = Stopwatch.StartNew();
            using TestWorkerProcess second = TestWorkerProcess.Run(db.Url, "resumable", Budget, seed: 9, lease, TimeSpan.FromMilliseconds(30), maxRetries: maxRetries);
            int exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.True(exit == 0, $"The resumed worker exited with {exit}.{second.Describe()}");
            Assert.Contains("resumed=True", second.Output, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < lease / 4, $"Resuming took {clock.Elapsed}: the orphan was not failed at once.");

            // The stale trial does not count towards the budget: the budget's worth of trials completed besides it.
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(studyId, CancellationToken.None);
            Assert.Equal(Enumerable.Range(0, Budget + 1), trials.Select(t => t.Number));
            TrialRecord stale = trials[HangAt];
            Assert.Equal(TrialState.Stale, stale.State);
            Assert.NotNull(stale.FailReason);
            Assert.Contains("Stale", stale.FailReason, StringComparison.Ordinal);
            Assert.Contains("no longer running", stale.FailReason, StringComparison.Ordinal);
            Assert.Contains(orphan.Owner!, stale.FailReason, StringComparison.Ordinal);
            Assert.Equal(new TrialCounts(0, 0, Budget, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(studyId, CancellationToken.None));
            Assert.All(trials.Where(t => t.Number != HangAt), t => Assert.Equal(TrialState.Complete, t.State));
            Assert.All(trials.Skip(HangAt + 1), t => Assert.Equal(second.Id.ToString(CultureInfo.InvariantCulture), t.Owner!.Split(':')[1]));

            // With a retry policy, the next trial re-runs the lost one with the same parameters and its intermediate value.
            TrialRecord next = trials[HangAt + 1];
            if (maxRetries > 0)
            {
                Assert.Equal(HangAt, TrialRetry.RetryOf(next));
                Assert.Equal(1, TrialRetry.Attempt(next));
                Assert.Equal(orphan.Parameters["x"], next.Parameters["x"]);
                Assert.Equal(orphan.IntermediateValues[0], next.IntermediateValues[0]);
                Assert.Single(trials, t => TrialRetry.RetryOf(t) is not null);
            }
            else
            {
                Assert.DoesNotContain(trials, t => TrialRetry.RetryOf(t) is not null);
            }
        }
        finally
        {
            await storage.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task OptimizeAsync_KilledAtArbitraryMoments_LosesNothingAndFinishesExactlyTheBudget()
    {
        using var db = new TempDatabase();
        const int Total = 40;
        TimeSpan lease = TimeSpan.FromMinutes(5);
        await using var storage = new SqliteStudyStorage(db.Path);
        try
        {
            var seenComplete = new Dictionary<int, double>();
            foreach (int delayMs in new[] { 350, 200 })
            {
                using TestWorkerProcess victim = TestWorkerProcess.Run(db.Url, "killed", Total, seed: 4, lease, TimeSpan.FromMilliseconds(15));
                await victim.WaitForOutputAsync("started", TimeSpan.FromSeconds(20));

                // A kill at an arbitrary moment after this worker has completed something (on a loaded machine a fixed delay alone
                // may end before its first trial does).
                int before = seenComplete.Count;
                await victim.WaitForTrialsAsync(storage, "killed", Patience, trials => trials.Count(t => t.State == TrialState.Complete) > before);
                await Task.Delay(delayMs);
                foreach (TrialRecord t in await TrialsAsync(storage, "killed"))
                {
                    if (t.State == TrialState.Complete)
                    {
                        seenComplete[t.Number] = t.Value!.Value;
                    }
                }

                await victim.KillAsync();
            }

            using TestWorkerProcess last = TestWorkerProcess.Run(db.Url, "killed", Total, seed: 4, lease, TimeSpan.FromMilliseconds(15));
            int exit = await last.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(exit == 0, $"The last worker exited with {exit}.{last.Describe()}");

            // Stale trials (lost with a killed process) do not count: exactly the budget's worth completed besides them.
            IReadOnlyList<TrialRecord> trials = await TrialsAsync(storage, "killed");
            int stale = trials.Count(t => t.State == TrialState.Stale);
            Assert.Equal(Enumerable.Range(0, Total + stale), trials.Select(t => t.Number));
            Assert.Equal(Total, trials.Count(t => t.State == TrialState.Complete));
            Assert.All(trials, t => Assert.True(t.IsFinished, $"Trial {t.Number} is {t.State}."));
            Assert.All(trials.Where(t => t.State != TrialState.Complete), t =>
            {
                Assert.Equal(TrialState.Stale, t.State);
                Assert.Contains("Stale", t.FailReason, StringComparison.Ordinal);
            });
            Assert.True(stale <= 2, "More trials went stale than processes were killed.");
            Assert.NotEmpty(seenComplete);
            Assert.All(seenComplete, kv => Assert.Equal(kv.Value, trials[kv.Key].Value));
        }
        finally
        {
            await storage.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    private static async Task<IReadOnlyList<TrialRecord>> TrialsAsync(IStudyStorage storage, string name) =>
        await storage.GetStudyAsync(name, CancellationToken.None) is { } study ? await storage.GetTrialsAsync(study.Id, CancellationToken.None) : [];
}
