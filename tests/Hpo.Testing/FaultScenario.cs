using System.Diagnostics;
using System.Globalization;
using Hpo.Storage;
using Hpo.Trials;
using Xunit;

namespace Hpo.Testing;

/// <summary>
/// The fault scenario of many machines on one database, on one machine, for any shared storage: worker processes
/// (tests/Hpo.TestWorker) on a study with a budget, two of them killed with SIGKILL in the middle of trials, a disruption of the
/// database while the others run (a restart, a long write lock), and a worker joining late. Then it checks what must hold whatever
/// happened: exactly the budget completed, every trial number accounted for, the killed trials stale and retried with their
/// intermediate values, no point completed twice, nothing left running, and the same best trial from the API and from <c>hpo best</c>.
/// </summary>
public sealed class FaultScenario
{
    /// <summary>Gets the storage URL the workers and the tool open.</summary>
    public required string Url { get; init; }

    /// <summary>Gets the test's own handle on the same storage, to watch and check the study.</summary>
    public required IStudyStorage Storage { get; init; }

    /// <summary>Gets what happens to the database once the two workers are killed and three others run (null: nothing).</summary>
    public Func<Task>? DisruptAsync { get; init; }

    /// <summary>Gets the study's name.</summary>
    public string Study { get; init; } = "faults";

    /// <summary>Gets the study's budget.</summary>
    public int Budget { get; init; } = 50;

    /// <summary>Gets the study's lease.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets how long each trial's objective sleeps.</summary>
    public TimeSpan Sleep { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the trial the first killed worker hangs in.</summary>
    public int FirstHang { get; init; } = 5;

    /// <summary>Gets the trial the second killed worker hangs in.</summary>
    public int SecondHang { get; init; } = 9;

    /// <summary>Runs the scenario and checks its outcome; returns the study's trials for further checks.</summary>
    public async Task<IReadOnlyList<TrialRecord>> RunAsync()
    {
        var workers = new List<TestWorkerProcess>();
        try
        {
            // Worker A hangs in one trial, then worker B (alone beside it) in another: both are mid-trial with a reported value.
            TestWorkerProcess a = Start(workers, FirstHang);
            TrialRecord hungA = await WaitForHangingAsync(a, FirstHang);
            TestWorkerProcess b = Start(workers, SecondHang);
            TrialRecord hungB = await WaitForHangingAsync(b, SecondHang);

            // Three more join; the two hanging ones die without a word; the database is disrupted under the survivors; one joins late.
            for (int i = 0; i < 3; i++)
            {
                Start(workers);
            }

            await workers[2].WaitForOutputAsync("started", TimeSpan.FromSeconds(60));
            await a.KillAsync();
            await b.KillAsync();
            await Task.Delay(500);
            if (DisruptAsync is not null)
            {
                await DisruptAsync();
            }

            await Task.Delay(300);
            Start(workers);

            foreach (TestWorkerProcess w in workers.Where(w => w != a && w != b))
            {
                int exit = await w.WaitForExitAsync(TimeSpan.FromSeconds(120));
                Assert.True(exit == 0, $"Worker {w.Id} exited with {exit}.{w.Describe()}");
            }

            StudyRecord study = await Storage.GetStudyAsync(Study, CancellationToken.None) ?? throw new InvalidOperationException("The study is missing.");
            IReadOnlyList<TrialRecord> trials = await Storage.GetTrialsAsync(study.Id, CancellationToken.None);
            TrialCounts counts = await Storage.GetTrialCountsAsync(study.Id, CancellationToken.None);

            // Exactly the budget completed, every number is accounted for, nothing is left running or waiting.
            Assert.Equal(Enumerable.Range(0, trials.Count), trials.Select(t => t.Number));
            Assert.Equal(Budget, counts.Complete);
            Assert.Equal(0, counts.Running + counts.Waiting + counts.Failed + counts.Pruned);
            Assert.Equal(trials.Count, Budget + counts.Stale);
            Assert.All(trials, t => Assert.True(t.State is TrialState.Complete or TrialState.Stale, $"Trial {t.Number} is {t.State}."));

            // The killed trials are stale, each retried once with its parameters and intermediate value, by a live worker.
            foreach (TrialRecord hung in new[] { hungA, hungB })
            {
                TrialRecord stale = trials[hung.Number];
                Assert.Equal(TrialState.Stale, stale.State);
                Assert.Equal(hung.Owner, stale.Owner);
                TimeSpan detected = stale.FinishedAt!.Value - stale.Heartbeat!.Value;
                Assert.True(detected <= 2 * Lease, $"Killed trial {hung.Number} became stale {detected.TotalSeconds:0.###} s after its last heartbeat (lease {Lease.TotalSeconds} s).");
                TrialRecord retry = Assert.Single(trials, t => TrialRetry.RetryOf(t) == hung.Number);
                Assert.NotEqual(hung.Owner, retry.Owner);
                Assert.Equal(hung.Parameters["x"], retry.Parameters["x"]);
                Assert.Equal(hung.IntermediateValues[0], retry.IntermediateValues[0]);
            }

            // Every stale trial (a disruption may expire a live worker's lease too) was retried; no point completed twice.
            Assert.All(trials.Where(t => t.State == TrialState.Stale), s => Assert.Contains(trials, t => TrialRetry.RetryOf(t) == s.Number));
            List<TrialRecord> complete = [.. trials.Where(t => t.State == TrialState.Complete)];
            Assert.Equal(Budget, complete.Select(t => Convert.ToString(t.Parameters["x"], CultureInfo.InvariantCulture)).Distinct().Count());

            // The best trial is the same whether the API or the hpo tool is asked.
            TrialRecord? best = await Storage.GetBestTrialAsync(study.Id, CancellationToken.None);
            Assert.NotNull(best);
            Assert.Equal(complete.MinBy(t => (t.Value, t.Number))!.Number, best.Number);
            await HpoTool.AssertBestIsAsync(Url, Study, best);
            return trials;
        }
        finally
        {
            foreach (TestWorkerProcess w in workers)
            {
                w.Dispose();
            }
        }
    }

    private TestWorkerProcess Start(List<TestWorkerProcess> workers, int hangAt = -1)
    {
        TestWorkerProcess w = TestWorkerProcess.Run(Url, Study, Budget, seed: 21, Lease, Sleep, hangAtTrial: hangAt, maxRetries: 2);
        workers.Add(w);
        return w;
    }

    private async Task<TrialRecord> WaitForHangingAsync(TestWorkerProcess worker, int number)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (worker.HasExited)
            {
                Assert.Fail($"The worker exited early with {worker.ExitCode}.{worker.Describe()}");
            }

            if (await Storage.GetStudyAsync(Study, CancellationToken.None) is { } study
                && await Storage.GetTrialAsync(study.Id, number, CancellationToken.None) is { State: TrialState.Running, IntermediateValues.Count: > 0 } t
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
