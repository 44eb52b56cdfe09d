using System.Diagnostics;
using System.Globalization;
using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Testing;
using Hpo.Tests.Execution;
using Hpo.Tests.Storage;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Scheduling;

/// <summary>
/// A user's own program (tests/Hpo.TestWorker: a plain <c>Study.OptimizeAsync</c> whose <c>OptimizeOptions.StopToken</c> a SIGTERM
/// handler cancels, with a <c>GracePeriod</c>) stops gracefully as <c>hpo worker</c> does: a real process sent SIGTERM hands its
/// running trial back, exits 0, and another process finishes it.
/// </summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class GracefulStopProcessTests
{
    /// <summary>How long a worker may take to reach the state a test waits for.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const int Budget = 8;
    private const int HangAt = 3;

    [Fact]
    public async Task Sigterm_hands_the_running_trial_back_after_the_grace_period_and_another_process_finishes_it()
    {
        using var db = new TempDatabase();
        // A lease far longer than the test: the trial can only become stale because its worker handed it back.
        TimeSpan lease = TimeSpan.FromMinutes(5);
        var environment = new Dictionary<string, string> { ["HPO_TEST_GRACE_MS"] = "300" };
        using TestWorkerProcess first = TestWorkerProcess.Run(db.Url, "graceful", Budget, seed: 5, lease, TimeSpan.FromMilliseconds(20), hangAtTrial: HangAt, maxRetries: 1, environment: environment);
        await using var storage = new SqliteStudyStorage(db.Path);
        try
        {
            IReadOnlyList<TrialRecord> before = await first.WaitForTrialsAsync(storage, "graceful", Patience, trials =>
                trials.Count == HangAt + 1 && trials.Take(HangAt).All(t => t.State == TrialState.Complete) && trials[HangAt].State == TrialState.Running && trials[HangAt].IntermediateValues.Count > 0);

            var clock = Stopwatch.StartNew();
            first.Terminate();
            int exit = await first.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.True(exit == 0, $"The stopped worker exited with {exit}.{first.Describe()}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"Stopping took {clock.Elapsed}.");
            Assert.Contains($"handed back {HangAt}", first.Output, StringComparison.Ordinal);
            Assert.Contains($"done {HangAt} Stopped handed_back=1 abandoned=False", first.Output, StringComparison.Ordinal);

            long studyId = (await storage.GetStudyAsync("graceful", CancellationToken.None))!.Id;
            IReadOnlyList<TrialRecord> stopped = await storage.GetTrialsAsync(studyId, CancellationToken.None);
            TrialRecord handed = stopped[HangAt];
            Assert.Equal(TrialState.Stale, handed.State);
            Assert.Contains($"handed back by a worker that was stopped ({Environment.MachineName}, pid {first.Id.ToString(CultureInfo.InvariantCulture)})", handed.FailReason, StringComparison.Ordinal);
            Assert.DoesNotContain(stopped, t => t.State == TrialState.Running);
            TrialRecord waiting = Assert.Single(stopped, t => t.State == TrialState.Waiting);
            Assert.Equal(HangAt, TrialRetry.RetryOf(waiting));

            using TestWorkerProcess second = TestWorkerProcess.Run(db.Url, "graceful", Budget, seed: 5, lease, TimeSpan.FromMilliseconds(20), maxRetries: 1);
            int secondExit = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(secondExit == 0, $"The second worker exited with {secondExit}.{second.Describe()}");

            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(studyId, CancellationToken.None);
            TrialRecord retry = Assert.Single(trials, t => TrialRetry.RetryOf(t) == HangAt);
            Assert.Equal(TrialState.Complete, retry.State);
            Assert.Equal(second.Id.ToString(CultureInfo.InvariantCulture), retry.Owner!.Split(':')[1]);
            Assert.Equal(before[HangAt].Parameters["x"], retry.Parameters["x"]);
            Assert.Equal(before[HangAt].IntermediateValues[0], retry.IntermediateValues[0]);
            Assert.Equal(new TrialCounts(0, 0, Budget, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(studyId, CancellationToken.None));
        }
        finally
        {
            await storage.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task Sigterm_lets_the_running_trial_finish_within_the_grace_period_and_exits_without_handing_anything_back()
    {
        using var db = new TempDatabase();
        var environment = new Dictionary<string, string> { ["HPO_TEST_GRACE_MS"] = "60000" };
        // Each trial takes 1.5 s: the SIGTERM lands while one runs, and it finishes well inside the minute of grace.
        using TestWorkerProcess worker = TestWorkerProcess.Run(db.Url, "finishes", Budget, seed: 6, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(1500), environment: environment);
        await using var storage = new SqliteStudyStorage(db.Path);
        try
        {
            await worker.WaitForTrialsAsync(storage, "finishes", Patience, trials => trials.Count >= 2 && trials[^1].State == TrialState.Running && trials[^1].IntermediateValues.Count > 0);

            var clock = Stopwatch.StartNew();
            worker.Terminate();
            int exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.True(exit == 0, $"The stopped worker exited with {exit}.{worker.Describe()}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"The worker waited {clock.Elapsed}: it should exit once its trial finished, not at the end of the grace period.");
            Assert.Contains("Stopped handed_back=0 abandoned=False", worker.Output, StringComparison.Ordinal);
            long studyId = (await storage.GetStudyAsync("finishes", CancellationToken.None))!.Id;
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(studyId, CancellationToken.None);
            Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
            Assert.InRange(trials.Count, 2, Budget - 1);
        }
        finally
        {
            await storage.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }
}
