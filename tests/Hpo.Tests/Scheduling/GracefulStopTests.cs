using System.Collections.Concurrent;
using System.Diagnostics;
using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Extensions.Logging;
using Hpo.Registries;

namespace Hpo.Tests.Scheduling;

/// <summary>
/// The scheduler's graceful stop, through a plain <see cref="Study.OptimizeAsync(IObjective, OptimizeOptions?, CancellationToken)"/>:
/// <see cref="OptimizeOptions.StopToken"/> with <see cref="OptimizeOptions.GracePeriod"/>, the hand-back, the abandon bound, and the
/// hard cancellation beside it. The cross-process case (SIGTERM) is in <see cref="GracefulStopProcessTests"/>.
/// </summary>
public sealed class GracefulStopTests : IDisposable
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build();
    private readonly string folder = Directory.CreateTempSubdirectory("hpo-graceful-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task Trials_still_running_when_the_grace_period_ends_are_handed_back_as_stale_and_the_run_returns(string kind)
    {
        await using IStudyStorage storage = Open(kind);
        var log = new CapturingLoggerFactory();
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 10, LoggerFactory = log });
        using var started = new SemaphoreSlim(0);
        var cancelled = new ConcurrentBag<int>();
        var objective = Objective.Create(async (trial, ct) =>
        {
            started.Release();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.Add(trial.Number);
                throw;
            }

            return ObjectiveResult.FromValue(1);
        });
        var handedBack = new ConcurrentBag<TrialRecord>();
        using var stop = new CancellationTokenSource();
        var options = new OptimizeOptions
        {
            Concurrency = 2,
            StopToken = stop.Token,
            GracePeriod = TimeSpan.FromMilliseconds(200),
            OnTrialHandedBack = a =>
            {
                Assert.Same(study, a.Study);
                handedBack.Add(a.Trial);
                return ValueTask.CompletedTask;
            },
        };

        Task<OptimizeResult> run = study.OptimizeAsync(objective, options);
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        await stop.CancelAsync();
        OptimizeResult result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"The run returned after {clock.Elapsed}, before the grace period ended.");
        Assert.Equal(OptimizeStopReason.Stopped, result.StopReason);
        Assert.Equal(2, result.HandedBack);
        Assert.False(result.Abandoned);
        Assert.Equal(0, result.TrialsRun);
        Assert.Equal(0, result.LateResults);
        Assert.Equal([0, 1], cancelled.Order());
        Assert.Equal([0, 1], handedBack.Select(t => t.Number).Order());
        Assert.All(handedBack, t => Assert.Equal(TrialState.Stale, t.State));
        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Stale, t.State);
            Assert.Contains($"handed back by a worker that was stopped ({Environment.MachineName}, pid {Environment.ProcessId})", t.FailReason, StringComparison.Ordinal);
        });
        Assert.Equal(0, result.Counts.Running);
        Assert.Equal(2, result.Counts.Stale);
        Assert.Equal(2, log.Events.Count(e => e.Id == 1114));
        Assert.Single(log.Events, e => e.Id == 1113);
        Assert.DoesNotContain(log.Events, e => e.Id == 1107); // a handed-back trial's cancellation is no late result
    }

    [Fact]
    public async Task Trials_that_finish_within_the_grace_period_are_recorded_and_the_run_does_not_wait_out_the_period()
    {
        await using IStudyStorage storage = Open("sqlite");
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 10 });
        using var started = new SemaphoreSlim(0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var objective = Objective.Create(async (trial, ct) =>
        {
            started.Release();
            await release.Task.WaitAsync(ct);
            return ObjectiveResult.FromValue(trial.Get<double>("x"));
        });
        using var stop = new CancellationTokenSource();

        Task<OptimizeResult> run = study.OptimizeAsync(objective, new OptimizeOptions { StopToken = stop.Token, GracePeriod = TimeSpan.FromMinutes(5) });
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.Delay(100);
        Assert.False(run.IsCompleted);
        var clock = Stopwatch.StartNew();
        release.SetResult();
        OptimizeResult result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"The run waited {clock.Elapsed} after its last trial finished.");
        Assert.Equal(OptimizeStopReason.Stopped, result.StopReason);
        Assert.Equal(0, result.HandedBack);
        Assert.Equal(1, result.TrialsRun);
        TrialRecord trial = Assert.Single(await study.GetTrialsAsync());
        Assert.Equal(TrialState.Complete, trial.State);
    }

    [Fact]
    public async Task A_zero_grace_period_hands_back_at_once_and_the_retry_policy_runs_the_trial_again_in_another_study_object()
    {
        await using IStudyStorage storage = Open("sqlite");
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 3, MaxRetries = 1, RetryOn = RetryOn.LostWorker });
        using var started = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var objective = Objective.Create(async (trial, ct) =>
        {
            await trial.ReportAsync(0, 0.5, ct);
            started.Release();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return ObjectiveResult.FromValue(1);
        });

        Task<OptimizeResult> run = study.OptimizeAsync(objective, new OptimizeOptions { StopToken = stop.Token, GracePeriod = TimeSpan.Zero });
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        OptimizeResult result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, result.HandedBack);

        TrialRecord original = (await study.GetTrialsAsync())[0];
        Assert.Equal(TrialState.Stale, original.State);
        Study other = await Study.LoadAsync(storage, "s");
        OptimizeResult second = await other.OptimizeAsync(t => t.Get<double>("x"));

        Assert.Equal(OptimizeStopReason.BudgetReached, second.StopReason);
        IReadOnlyList<TrialRecord> trials = await other.GetTrialsAsync();
        TrialRecord retry = Assert.Single(trials, t => TrialRetry.RetryOf(t) == original.Number);
        Assert.Equal(TrialState.Complete, retry.State);
        Assert.Equal(original.Parameters["x"], retry.Parameters["x"]);
        Assert.Equal(0.5, retry.IntermediateValues[0]);
        Assert.Equal(3, trials.Count(t => t.State == TrialState.Complete));
        Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
    }

    [Fact]
    public async Task An_objective_that_ignores_its_cancellation_is_abandoned_within_the_bound_and_its_late_value_is_not_recorded()
    {
        await using IStudyStorage storage = Open("sqlite");
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 5 });
        using var started = new SemaphoreSlim(0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubborn = Objective.Create(async (trial, _) =>
        {
            started.Release();
            await release.Task;
            return ObjectiveResult.FromValue(42);
        });
        using var stop = new CancellationTokenSource();

        Task<OptimizeResult> run = study.OptimizeAsync(stubborn, new OptimizeOptions { StopToken = stop.Token, GracePeriod = TimeSpan.FromMilliseconds(50), AbandonAfter = TimeSpan.FromMilliseconds(300) });
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        await stop.CancelAsync();
        OptimizeResult result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan took = clock.Elapsed;
        release.SetResult();
        await Task.Delay(200);

        Assert.True(took < TimeSpan.FromSeconds(10), $"The run took {took} to give up a trial that ignores its cancellation.");
        Assert.True(result.Abandoned);
        Assert.Equal(1, result.HandedBack);
        Assert.Equal(OptimizeStopReason.Stopped, result.StopReason);
        TrialRecord trial = Assert.Single(await study.GetTrialsAsync());
        Assert.Equal(TrialState.Stale, trial.State);
        Assert.Empty(trial.Values);
    }

    [Fact]
    public async Task Cancelling_the_method_token_during_the_grace_period_is_the_hard_stop()
    {
        await using IStudyStorage storage = Open("memory");
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 5 });
        using var started = new SemaphoreSlim(0);
        var objective = Objective.Create(async (trial, ct) =>
        {
            started.Release();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return ObjectiveResult.FromValue(1);
        });
        using var stop = new CancellationTokenSource();
        using var hard = new CancellationTokenSource();

        Task<OptimizeResult> run = study.OptimizeAsync(objective, new OptimizeOptions { StopToken = stop.Token, GracePeriod = TimeSpan.FromMinutes(5) }, hard.Token);
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await hard.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        TrialRecord trial = Assert.Single(await study.GetTrialsAsync());
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.StartsWith("Cancelled", trial.FailReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_grace_period_a_stop_waits_for_the_running_trials_however_long_they_take()
    {
        await using IStudyStorage storage = Open("memory");
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 5 });
        using var started = new SemaphoreSlim(0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var objective = Objective.Create(async (trial, ct) =>
        {
            started.Release();
            await release.Task.WaitAsync(ct);
            return ObjectiveResult.FromValue(2);
        });
        using var stop = new CancellationTokenSource();

        Task<OptimizeResult> run = study.OptimizeAsync(objective, new OptimizeOptions { StopToken = stop.Token });
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.Delay(300);
        Assert.False(run.IsCompleted);
        release.SetResult();
        OptimizeResult result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.HandedBack);
        Assert.Equal(1, result.TrialsRun);
        Assert.Equal(TrialState.Complete, Assert.Single(await study.GetTrialsAsync()).State);
    }

    [Theory]
    [InlineData(-1.0, 15.0, "GracePeriod must be zero or positive, Timeout.InfiniteTimeSpan or null, but got -00:00:01.")]
    [InlineData(1.0, -1.0, "AbandonAfter must be between 0 and 1 hour, but got -00:00:01.")]
    [InlineData(1.0, 3601.0, "AbandonAfter must be between 0 and 1 hour, but got 01:00:01.")]
    public async Task Out_of_range_stop_durations_are_refused_naming_the_option_and_the_value(double graceSeconds, double abandonSeconds, string message)
    {
        await using IStudyStorage storage = Open("memory");
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Budget = 1 });
        var options = new OptimizeOptions { GracePeriod = TimeSpan.FromSeconds(graceSeconds), AbandonAfter = TimeSpan.FromSeconds(abandonSeconds) };

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => study.OptimizeAsync(_ => 1.0, options));

        Assert.Contains("The 'OptimizeOptions' are invalid.", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(await study.GetTrialsAsync());
    }

    private IStudyStorage Open(string kind) =>
        StorageRegistry.Default.Open(kind == "memory" ? "memory" : "sqlite:///" + Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db"));

    /// <summary>Records the event id of every log call (the scheduler's events have stable ids).</summary>
    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<EventId> Events { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Events);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<EventId> events) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                events.Enqueue(eventId);
        }
    }
}
