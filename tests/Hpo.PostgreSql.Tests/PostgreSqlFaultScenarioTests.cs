using System.Diagnostics;
using System.Globalization;
using Hpo.PostgreSql.Tests.Support;
using Hpo.Storage;
using Hpo.Tests.Execution;
using Hpo.Trials;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The fault scenario of many machines on one database, on one machine: worker processes on a study with a budget, two of them
/// killed with SIGKILL in the middle of trials, the database restarted while trials run, a worker joining late.
/// </summary>
[RequiresPostgreSql]
public sealed class PostgreSqlFaultScenarioTests
{
    private const int Budget = 50;

    [Fact]
    public async Task OptimizeAsync_WorkersKilledAndDatabaseRestarted_BudgetExactKilledTrialsStaleAndRetriedNothingLost()
    {
        await using ScratchPostgreSqlServer server = await ScratchPostgreSqlServer.StartAsync();
        TimeSpan lease = TimeSpan.FromSeconds(5);
        TimeSpan sleep = TimeSpan.FromMilliseconds(100);
        var workers = new List<TestWorkerProcess>();
        await using var storage = new PostgreSqlStudyStorage(server.ConnectionString);
        try
        {
            // Worker A hangs in trial 5, then worker B (alone beside it) hangs in trial 9: both are mid-trial with a reported value.
            TestWorkerProcess a = Start(workers, server, lease, sleep, hangAt: 5);
            TrialRecord hungA = await WaitForHangingAsync(storage, a, 5);
            TestWorkerProcess b = Start(workers, server, lease, sleep, hangAt: 9);
            TrialRecord hungB = await WaitForHangingAsync(storage, b, 9);

            // Three more join; the two hanging ones die without a word; the database restarts under the survivors.
            for (int i = 0; i < 3; i++)
            {
                Start(workers, server, lease, sleep);
            }

            await workers[2].WaitForOutputAsync("started", TimeSpan.FromSeconds(60));
            await a.KillAsync();
            await b.KillAsync();
            await Task.Delay(500);
            await server.RestartAsync();
            await Task.Delay(300);
            Start(workers, server, lease, sleep);

            foreach (TestWorkerProcess w in workers.Where(w => w != a && w != b))
            {
                int exit = await w.WaitForExitAsync(TimeSpan.FromSeconds(120));
                Assert.True(exit == 0, $"Worker {w.Id} exited with {exit}.{w.Describe()}");
            }

            StudyRecord study = await storage.GetStudyAsync("faults", CancellationToken.None) ?? throw new InvalidOperationException("The study is missing.");
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
            TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, CancellationToken.None);

            // Exactly the budget completed, every number is accounted for, nothing is left running or waiting.
            Assert.Equal(Enumerable.Range(0, trials.Count), trials.Select(t => t.Number));
            Assert.Equal(Budget, counts.Complete);
            Assert.Equal(0, counts.Running + counts.Waiting + counts.Failed + counts.Pruned);
            Assert.Equal(trials.Count, Budget + counts.Stale);

            // The killed trials are stale, each retried once with its parameters and intermediate value, by a live worker.
            foreach (TrialRecord hung in new[] { hungA, hungB })
            {
                TrialRecord stale = trials[hung.Number];
                Assert.Equal(TrialState.Stale, stale.State);
                Assert.Equal(hung.Owner, stale.Owner);
                TrialRecord retry = Assert.Single(trials, t => TrialRetry.RetryOf(t) == hung.Number);
                Assert.Equal(hung.Parameters["x"], retry.Parameters["x"]);
                Assert.Equal(hung.IntermediateValues[0], retry.IntermediateValues[0]);
            }

            // Every stale trial (a restart may expire a live worker's lease too) was retried; no point completed twice.
            Assert.All(trials.Where(t => t.State == TrialState.Stale), s => Assert.Contains(trials, t => TrialRetry.RetryOf(t) == s.Number));
            List<TrialRecord> complete = [.. trials.Where(t => t.State == TrialState.Complete)];
            Assert.Equal(Budget, complete.Select(t => Convert.ToString(t.Parameters["x"], CultureInfo.InvariantCulture)).Distinct().Count());
            TrialRecord? best = await storage.GetBestTrialAsync(study.Id, CancellationToken.None);
            Assert.Equal(complete.MinBy(t => (t.Value, t.Number))!.Number, best?.Number);
        }
        finally
        {
            foreach (TestWorkerProcess w in workers)
            {
                w.Dispose();
            }
        }
    }

    private static TestWorkerProcess Start(List<TestWorkerProcess> workers, ScratchPostgreSqlServer server, TimeSpan lease, TimeSpan sleep, int hangAt = -1)
    {
        TestWorkerProcess w = TestWorkerProcess.Run(server.Url, "faults", Budget, seed: 21, lease, sleep, hangAtTrial: hangAt, maxRetries: 2);
        workers.Add(w);
        return w;
    }

    private static async Task<TrialRecord> WaitForHangingAsync(IStudyStorage storage, TestWorkerProcess worker, int number)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (worker.HasExited)
            {
                Assert.Fail($"The worker exited early with {worker.ExitCode}.{worker.Describe()}");
            }

            if (await storage.GetStudyAsync("faults", CancellationToken.None) is { } study
                && await storage.GetTrialAsync(study.Id, number, CancellationToken.None) is { State: TrialState.Running, IntermediateValues.Count: > 0 } t
                && t.Owner!.Split(':')[1] == worker.Id.ToString(CultureInfo.InvariantCulture))
            {
                return t;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"The worker did not reach trial {number} in time.{worker.Describe()}");
        return null!;
    }
}
