using System.Diagnostics;
using System.Globalization;
using Hpo.PostgreSql.Tests.Support;
using Hpo.Storage;
using Hpo.Testing;
using Hpo.Trials;

namespace Hpo.PostgreSql.Tests;

/// <summary>Worker processes (tests/Hpo.TestWorker) on one PostgreSQL study: the elastic pool of machines, on one machine.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlWorkerProcessTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    private const int Budget = 40;
    private const int HangAt = 3;

    private string Url => database.Url;

    [Fact]
    public async Task OptimizeAsync_WorkerKilledMidTrialOthersJoinAndLeave_BudgetExactAndKilledTrialStaleAndRetried()
    {
        TimeSpan lease = TimeSpan.FromSeconds(2);
        TimeSpan sleep = TimeSpan.FromMilliseconds(40);
        using TestWorkerProcess first = TestWorkerProcess.Run(Url, "elastic", Budget, seed: 11, lease, sleep, hangAtTrial: HangAt, maxRetries: 1);
        var others = new List<TestWorkerProcess>();
        await using var storage = new PostgreSqlStudyStorage(database.ConnectionString);
        try
        {
            // The first worker hangs in trial 3 after reporting its intermediate value; a second joins meanwhile; then the first dies
            // and two more join. Each joiner holds its first trial until released (HPO_TEST_GATE), and the test waits until the
            // storage shows that trial running under the joiner's name: every process takes part whatever the machine's load (a
            // joiner that started late used to find the study done, and fewer than four processes completed trials).
            TrialRecord hanging = await WaitForHangingTrialAsync(storage, first);
            var gate = new Dictionary<string, string> { ["HPO_TEST_GATE"] = "1" };
            others.Add(TestWorkerProcess.Run(Url, "elastic", Budget, seed: 11, lease, sleep, maxRetries: 1, environment: gate));
            await WaitForHeldTrialsAsync(storage, others, hanging);
            await first.KillAsync();
            others.Add(TestWorkerProcess.Run(Url, "elastic", Budget, seed: 11, lease, sleep, maxRetries: 1, environment: gate));
            others.Add(TestWorkerProcess.Run(Url, "elastic", Budget, seed: 11, lease, sleep, maxRetries: 1, environment: gate));
            await WaitForHeldTrialsAsync(storage, others, hanging);
            foreach (TestWorkerProcess w in others)
            {
                await w.ReleaseAsync();
            }

            foreach (TestWorkerProcess w in others)
            {
                int exit = await w.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(exit == 0, $"Worker {w.Id} exited with {exit}.{w.Describe()}");
            }

            StudyRecord study = await storage.GetStudyAsync("elastic", CancellationToken.None) ?? throw new InvalidOperationException("The study is missing.");
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, CancellationToken.None);

            // Exactly the budget completed; the killed trial is stale (not counted) and nothing is left running or waiting.
            Assert.Equal(Enumerable.Range(0, Budget + 1), trials.Select(t => t.Number));
            Assert.Equal(new TrialCounts(0, 0, Budget, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
            TrialRecord stale = trials[HangAt];
            Assert.Equal(TrialState.Stale, stale.State);
            Assert.Equal(hanging.Owner, stale.Owner);

            // Its retry ran once, on another worker, with its parameters and its intermediate value.
            TrialRecord retry = Assert.Single(trials, t => TrialRetry.RetryOf(t) == HangAt);
            Assert.Equal(TrialState.Complete, retry.State);
            Assert.NotEqual(stale.Owner, retry.Owner);
            Assert.Equal(stale.Parameters["x"], retry.Parameters["x"]);
            Assert.Equal(stale.IntermediateValues[0], retry.IntermediateValues[0]);

            // No point was evaluated twice to completion, and every process took part: the first before it died, each joiner after.
            List<TrialRecord> complete = [.. trials.Where(t => t.State == TrialState.Complete)];
            Assert.Equal(Budget, complete.Select(t => Convert.ToString(t.Parameters["x"], CultureInfo.InvariantCulture)).Distinct().Count());
            Assert.Equal(1 + others.Count, complete.Select(t => t.Owner).Distinct().Count());
            Assert.Equal((double)(await storage.GetBestTrialAsync(study.Id, CancellationToken.None))!.Value!, complete.Min(t => t.Value!.Value));
        }
        finally
        {
            foreach (TestWorkerProcess w in others)
            {
                w.Dispose();
            }
        }
    }

    /// <summary>
    /// Waits until each gated joiner holds one running trial (the storage shows as many running trials, besides the hanging one, under
    /// as many owners as there are joiners); fails if a joiner exits first or after a minute.
    /// </summary>
    private static async Task WaitForHeldTrialsAsync(IStudyStorage storage, IReadOnlyList<TestWorkerProcess> joiners, TrialRecord hanging)
    {
        await joiners[^1].WaitForTrialsAsync(storage, "elastic", TimeSpan.FromSeconds(60), trials =>
        {
            Assert.All(joiners, j => Assert.False(j.HasExited, $"Worker {j.Id} exited early.{j.Describe()}"));
            return trials.Where(t => t.State == TrialState.Running && t.Number != hanging.Number).Select(t => t.Owner).Distinct().Count() == joiners.Count;
        });
    }

    private static async Task<TrialRecord> WaitForHangingTrialAsync(IStudyStorage storage, TestWorkerProcess worker)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (worker.HasExited)
            {
                Assert.Fail($"The worker exited early with {worker.ExitCode}.{worker.Describe()}");
            }

            if (await storage.GetStudyAsync("elastic", CancellationToken.None) is { } study
                && await storage.GetTrialAsync(study.Id, HangAt, CancellationToken.None) is { State: TrialState.Running, IntermediateValues.Count: > 0 } t)
            {
                return t;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"The worker did not reach trial {HangAt} in time.{worker.Describe()}");
        return null!;
    }
}
