using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Tests.Studies;

/// <summary>StudyWorker's graceful stop on a real SQLite file (the process-level cases are in Hpo.Cli.Tests and Hpo.Hosting.Tests).</summary>
public sealed class StudyWorkerTests : IDisposable
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build();
    private readonly string folder = Directory.CreateTempSubdirectory("hpo-studyworker-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(-1, 0, "GracePeriod")]
    [InlineData(3601, 0, "GracePeriod")]
    [InlineData(0, -1, "AbandonAfter")]
    public async Task Out_of_range_durations_are_refused_naming_the_option(int graceSeconds, int abandonSeconds, string option)
    {
        await using IStudyStorage storage = StorageRegistry.Default.Open("memory");
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 1 });
        var options = new StudyWorkerOptions { GracePeriod = TimeSpan.FromSeconds(graceSeconds), AbandonAfter = TimeSpan.FromSeconds(abandonSeconds) };

        ArgumentOutOfRangeException e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StudyWorker.RunAsync(study, Objective.Create(_ => 1.0), options));

        Assert.Contains($"StudyWorkerOptions.{option} must be between 0 and 1 hour", e.Message, StringComparison.Ordinal);
        Assert.Empty(await study.GetTrialsAsync());
    }

    [Fact]
    public async Task An_objective_that_ignores_cancellation_is_handed_back_and_abandoned_within_the_bound()
    {
        await using IStudyStorage storage = StorageRegistry.Default.Open("sqlite:///" + Path.Combine(folder, "s.db"));
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 5 });
        using var started = new SemaphoreSlim(0);
        using var release = new CancellationTokenSource();
        var stubborn = Objective.Create(async (trial, _) =>
        {
            started.Release();
            await Task.Delay(Timeout.InfiniteTimeSpan, release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return ObjectiveResult.FromValue(1);
        });
        var handedBack = new List<int>();
        var options = new StudyWorkerOptions
        {
            GracePeriod = TimeSpan.FromMilliseconds(100),
            AbandonAfter = TimeSpan.FromMilliseconds(300),
            OnTrialHandedBack = n =>
            {
                handedBack.Add(n);
                throw new InvalidOperationException("a callback that throws must not stop the hand-back");
            },
            Run = new OptimizeOptions { Concurrency = 2 },
        };
        using var stop = new CancellationTokenSource();

        Task<StudyWorkerResult> run = StudyWorker.RunAsync(study, stubborn, options, stop.Token);
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        StudyWorkerResult result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        await release.CancelAsync();

        Assert.True(result.Abandoned);
        Assert.Null(result.Result);
        Assert.Equal(2, result.HandedBack);
        Assert.Equal([0, 1], handedBack.Order());
        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Stale, t.State));
    }

    [Fact]
    public async Task Without_a_stop_the_run_ends_at_the_budget_and_hands_nothing_back()
    {
        await using IStudyStorage storage = StorageRegistry.Default.Open("memory");
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 4 });

        StudyWorkerResult result = await StudyWorker.RunAsync(study, Objective.Create(t => t.Get<double>("x")));

        Assert.False(result.Abandoned);
        Assert.Equal(0, result.HandedBack);
        Assert.Equal(OptimizeStopReason.BudgetReached, result.Result!.StopReason);
        Assert.Equal(4, (await study.GetTrialCountsAsync()).Complete);
    }
}
