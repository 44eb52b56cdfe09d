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
            // The first worker hangs in trial 3 after reporting its intermediate value; a second joins meanwhile; then the first dies.
            TrialRecord hanging = await WaitForHangingTrialAsync(storage, first);
            others.Add(TestWorkerProcess.Run(Url, "elastic", Budget, seed: 11, lease, sleep, maxRetries: 1));
            await others[0].WaitForOutputAsync("started", TimeSpan.FromSeconds(30));
            await first.KillAsync();
            others.Add(TestWorkerProcess.Run(Url, "elastic", Budget, seed: 11, lease, sleep, maxRetries: 1));
            await Task.Delay(200);
            others.Add(TestWorkerProcess.Run(Url, "elastic", Budget, seed: 11, lease, sleep, maxRetries: 1));

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

            // No point was evaluated twice to completion, and several processes took part.
            List<TrialRecord> complete = [.. trials.Where(t => t.State == TrialState.Complete)];
            Assert.Equal(Budget, complete.Select(t => Convert.ToString(t.Parameters["x"], CultureInfo.InvariantCulture)).Distinct().Count());
            Assert.True(complete.Select(t => t.Owner).Distinct().Count() >= 3, "Fewer than three processes completed trials.");
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
