using System.Collections.Concurrent;
using Hpo.Objectives;
using Hpo.Trials;
using Microsoft.Extensions.Logging;

namespace Hpo.Studies;

/// <summary>Options of <see cref="StudyWorker.RunAsync"/>: a worker's run and its graceful stop.</summary>
public sealed class StudyWorkerOptions
{
    /// <summary>The default <see cref="GracePeriod"/>: 20 seconds (under Kubernetes' default 30 s termination grace period).</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(20);

    /// <summary>The default <see cref="AbandonAfter"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultAbandonAfter = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets or sets the run's options (concurrency, trial count, trial timeout, callbacks). Its <see cref="OptimizeOptions.StopToken"/>
    /// is replaced by the stop request given to <see cref="StudyWorker.RunAsync"/> (linked with it when both are set).
    /// </summary>
    public OptimizeOptions Run { get; set; } = new();

    /// <summary>Gets or sets how long running trials may finish once a stop was requested before they are handed back (0 to 1 hour).</summary>
    public TimeSpan GracePeriod { get; set; } = DefaultGracePeriod;

    /// <summary>Gets or sets how long handed-back trials may take to stop once cancelled before the worker returns without them (0 to 1 hour).</summary>
    public TimeSpan AbandonAfter { get; set; } = DefaultAbandonAfter;

    /// <summary>Gets or sets a callback told the number of each trial handed back (recorded stale) after the grace period.</summary>
    public Func<int, ValueTask>? OnTrialHandedBack { get; set; }
}

/// <summary>What a worker's run did: see <see cref="StudyWorker.RunAsync"/>.</summary>
/// <param name="Result">The run's result; <see langword="null"/> when trials had to be handed back (the run was cancelled).</param>
/// <param name="HandedBack">How many running trials were handed back (recorded stale) after the grace period.</param>
/// <param name="Abandoned">Whether handed-back trials ignored their cancellation for <see cref="StudyWorkerOptions.AbandonAfter"/> and were left behind.</param>
public sealed record StudyWorkerResult(OptimizeResult? Result, int HandedBack, bool Abandoned);

/// <summary>
/// Runs a study's trials as a long-lived worker with a graceful stop, as <c>hpo worker</c> and the hosted worker of Hpo.Hosting do:
/// when a stop is requested, no trial starts any more; the running ones may finish within the grace period; those still running
/// then are handed back — recorded stale with a reason, so the study's retry policy runs them again and the budget does not count
/// them — and cancelled. No trial of this worker is left <see cref="TrialState.Running"/>.
/// </summary>
public static class StudyWorker
{
    /// <summary>Runs trials until the budget or the run's trial count is reached, or a stop is requested and handled.</summary>
    /// <param name="study">The study.</param>
    /// <param name="objective">Runs one trial.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="stopRequested">Requests the graceful stop (SIGTERM, a host's stop): never an error.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<StudyWorkerResult> RunAsync(Study study, IObjective objective, StudyWorkerOptions? options = null, CancellationToken stopRequested = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new StudyWorkerOptions();
        CheckRange(options.GracePeriod, nameof(options.GracePeriod));
        CheckRange(options.AbandonAfter, nameof(options.AbandonAfter));

        OptimizeOptions given = options.Run ?? throw new ArgumentException("StudyWorkerOptions.Run must not be null.", nameof(options));
        using CancellationTokenSource? linked = given.StopToken.CanBeCanceled && stopRequested.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(given.StopToken, stopRequested)
            : null;
        CancellationToken stop = linked?.Token ?? (stopRequested.CanBeCanceled ? stopRequested : given.StopToken);
        var run = new OptimizeOptions
        {
            TrialCount = given.TrialCount,
            Timeout = given.Timeout,
            StopToken = stop,
            Concurrency = given.Concurrency,
            TrialTimeout = given.TrialTimeout,
            FailurePolicy = given.FailurePolicy,
            OnTrialFinished = given.OnTrialFinished,
        };

        var running = new ConcurrentDictionary<int, byte>();
        var tracked = new TrackingObjective(objective, running);
        using var abort = new CancellationTokenSource();
        Task<OptimizeResult> optimization = study.OptimizeAsync(tracked, run, abort.Token);
        using var finished = new CancellationTokenSource();
        Task graceOver = GraceOverAsync(stop, options.GracePeriod, finished.Token);
        int handedBack = 0;
        if (await Task.WhenAny(optimization, graceOver).ConfigureAwait(false) == graceOver && !optimization.IsCompleted)
        {
            handedBack = await HandBackAsync(study, running, options.OnTrialHandedBack).ConfigureAwait(false);
            await abort.CancelAsync().ConfigureAwait(false);
        }

        await finished.CancelAsync().ConfigureAwait(false);
        try
        {
            // After a hand-back, an in-process objective that ignores its token must not keep the worker alive.
            OptimizeResult result = abort.IsCancellationRequested
                ? await optimization.WaitAsync(options.AbandonAfter, CancellationToken.None).ConfigureAwait(false)
                : await optimization.ConfigureAwait(false);
            return new StudyWorkerResult(result, handedBack, Abandoned: false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // The handed-back trials were recorded stale before their programs were stopped.
            return new StudyWorkerResult(null, handedBack, Abandoned: false);
        }
        catch (TimeoutException)
        {
            study.Logger.LogWarning("Study {Study}: the handed-back trials did not stop within {Seconds} s of being cancelled; the worker returns without them.", study.Name, options.AbandonAfter.TotalSeconds);
            return new StudyWorkerResult(null, handedBack, Abandoned: true);
        }
    }

    private static void CheckRange(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero || value > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"StudyWorkerOptions.{name} must be between 0 and 1 hour, but got {value}.");
        }
    }

    /// <summary>Completes once a stop was requested and the grace period has passed since (never when the run ends first).</summary>
    private static async Task GraceOverAsync(CancellationToken stopRequested, TimeSpan grace, CancellationToken finished)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stopRequested, finished);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (finished.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await Task.Delay(grace, finished).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Records the trials this worker still runs as stale (its owner handed them back), so that they are retried elsewhere.</summary>
    private static async Task<int> HandBackAsync(Study study, ConcurrentDictionary<int, byte> running, Func<int, ValueTask>? onHandedBack)
    {
        int count = 0;
        foreach (int number in running.Keys.Order())
        {
            TrialRecord? record = await study.Storage.GetTrialAsync(study.Record.Id, number, CancellationToken.None).ConfigureAwait(false);
            if (record is not { State: TrialState.Running, Owner: string owner })
            {
                continue;
            }

            string reason = $"Stale: handed back by a worker that was stopped ({Environment.MachineName}, pid {Environment.ProcessId}) before the trial finished.";
            if (await study.Storage.FailAbandonedTrialAsync(record.Id, owner, reason, CancellationToken.None).ConfigureAwait(false) is not null)
            {
                count++;
                study.Logger.LogInformation("Study {Study}: trial {Number} handed back (recorded stale; the study's retry policy runs it again).", study.Name, number);
                if (onHandedBack is not null)
                {
                    try
                    {
                        await onHandedBack(number).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // The other trials must still be handed back.
                        study.Logger.LogError(e, "Study {Study}: the OnTrialHandedBack callback threw for trial {Number}; the worker goes on.", study.Name, number);
                    }
                }
            }
        }

        return count;
    }

    /// <summary>Knows which trials are running in this worker.</summary>
    private sealed class TrackingObjective(IObjective inner, ConcurrentDictionary<int, byte> running) : IObjective
    {
        public async ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken)
        {
            running.TryAdd(trial.Number, 0);
            try
            {
                return await inner.EvaluateAsync(trial, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                running.TryRemove(trial.Number, out _);
            }
        }
    }
}
