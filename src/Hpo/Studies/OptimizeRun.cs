using System.Runtime.ExceptionServices;
using Hpo.Execution;
using Hpo.Internal;
using Hpo.Objectives;
using Hpo.Storage;
using Hpo.Telemetry;
using Hpo.Trials;
using Microsoft.Extensions.Logging;

namespace Hpo.Studies;

/// <summary>
/// One <see cref="Study.OptimizeAsync(IObjective, OptimizeOptions?, CancellationToken)"/> run: its workers, heartbeat, stop
/// conditions and failure handling. Concurrency, timeouts and heartbeats live here and nowhere else.
/// </summary>
internal sealed class OptimizeRun : IDisposable
{
    private readonly Study study;
    private readonly IObjective objective;
    private readonly OptimizeOptions options;
    private readonly CancellationToken callerToken;
    private readonly TimeSpan? trialTimeout;
    private readonly CancellationTokenSource stopScheduling;
    private readonly CancellationTokenSource timeoutSource;
    private readonly CancellationTokenSource stopHeartbeat = new();
    private readonly SemaphoreSlim callbackGate = new(1, 1);
    private readonly string owner = WorkerIdentity.NewOwner();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (StudyTrial Trial, TrialFinish Finish)> pendingFinishes = new();
    private int started;
    private int finished;
    private int lateResults;
    private ExceptionDispatchInfo? failure;
    private volatile bool budgetReached;

    public OptimizeRun(Study study, IObjective objective, OptimizeOptions options, CancellationToken callerToken)
    {
        this.study = study;
        this.objective = objective;
        this.options = options;
        this.callerToken = callerToken;

        // The run's timeout runs on the study's clock, so tests can drive it with a fake one.
        // A timeout at or above the timer's limit (about 49.7 days) or Timeout.InfiniteTimeSpan means no limit.
        trialTimeout = Durations.Bounded(options.TrialTimeout);
        timeoutSource = Durations.Bounded(options.Timeout) is TimeSpan timeout
            ? new CancellationTokenSource(timeout, study.TimeProvider)
            : new CancellationTokenSource();
        stopScheduling = CancellationTokenSource.CreateLinkedTokenSource(callerToken, timeoutSource.Token, options.StopToken);
    }

    /// <summary>The waits before each new attempt to record a result the storage failed to take (then it is recorded as failed).</summary>
    internal static readonly TimeSpan[] FinishRetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    private TimeSpan HeartbeatInterval => study.Record.Definition.Lease / 3;

    public async Task<OptimizeResult> RunAsync()
    {
        callerToken.ThrowIfCancellationRequested();
        await study.FailAbandonedLocalTrialsAsync(callerToken).ConfigureAwait(false);
        await study.Storage.FailOrphanedTrialsAsync(study.Record.Id, callerToken).ConfigureAwait(false);
        var horizon = new RunHorizon(options.TrialCount, options.Timeout, study.TimeProvider);
        study.RunHorizonOfRun = horizon.IsKnown ? horizon : null;
        Task heartbeat = HeartbeatLoopAsync();
        var workers = new Task[options.Concurrency];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(WorkerLoopAsync, CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        finally
        {
            if (ReferenceEquals(study.RunHorizonOfRun, horizon))
            {
                study.RunHorizonOfRun = null;
            }

            await stopHeartbeat.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            await FlushPendingFinishesAsync().ConfigureAwait(false);
        }

        failure?.Throw();
        callerToken.ThrowIfCancellationRequested();
        await study.SyncHistoryAsync(CancellationToken.None).ConfigureAwait(false);
        (TrialCounts counts, TrialRecord? best) = study.Summary;
        OptimizeStopReason reason = budgetReached ? OptimizeStopReason.BudgetReached
            : options.TrialCount is int n && started >= n ? OptimizeStopReason.TrialCountReached
            : options.StopToken.IsCancellationRequested && !timeoutSource.IsCancellationRequested ? OptimizeStopReason.Stopped
            : OptimizeStopReason.TimedOut;
        return new OptimizeResult(finished, reason, counts, best) { LateResults = lateResults };
    }

    public void Dispose()
    {
        stopScheduling.Dispose();
        timeoutSource.Dispose();
        stopHeartbeat.Dispose();
        callbackGate.Dispose();
    }

    private async Task WorkerLoopAsync()
    {
        // A trial started by the previous trial's finish (one storage operation for both), run before anything else: once a
        // trial is started in the storage it is proposed and run, even if scheduling stopped meanwhile.
        StudyTrial? next = null;
        while (next is not null || !stopScheduling.IsCancellationRequested)
        {
            StudyTrial? trial = next;
            next = null;
            if (trial is null)
            {
                if (!TryCountStart())
                {
                    return;
                }

                try
                {
                    // Only the caller's token: once a trial is started in the storage it is proposed and run, even if this run's
                    // timeout or failure policy stops scheduling meanwhile.
                    trial = await study.TryAskAsync(owner, callerToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (callerToken.IsCancellationRequested)
                {
                    Interlocked.Decrement(ref started);
                    return;
                }
                catch (Exception e)
                {
                    await AskFailedAsync(e).ConfigureAwait(false);
                    return;
                }

                if (trial is null)
                {
                    Interlocked.Decrement(ref started);
                    if (!await WaitForBudgetAsync().ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }
            }

            next = await RunTrialAsync(trial).ConfigureAwait(false);
        }
    }

    /// <summary>Counts a trial about to be asked for; false when this run's trial count is reached.</summary>
    private bool TryCountStart()
    {
        if (options.TrialCount is int limit && Interlocked.Increment(ref started) > limit)
        {
            Interlocked.Decrement(ref started);
            return false;
        }

        if (options.TrialCount is null)
        {
            Interlocked.Increment(ref started);
        }

        return true;
    }

    /// <summary>The tuner or the storage failed while asking: stop this run and rethrow once the running trials are recorded.</summary>
    private async Task AskFailedAsync(Exception e)
    {
        Interlocked.Decrement(ref started);
        Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
        await stopScheduling.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Called when the budget is filled by finished plus running trials. Returns false when the budget is truly spent; otherwise
    /// waits for running trials (perhaps of other workers, perhaps orphaned) to finish or expire, and returns true to try again.
    /// </summary>
    private async Task<bool> WaitForBudgetAsync()
    {
        TrialCounts counts = await study.Storage.GetTrialCountsAsync(study.Record.Id, CancellationToken.None).ConfigureAwait(false);
        if (study.Budget is int budget && counts.Finished >= budget)
        {
            budgetReached = true;
            return false;
        }

        try
        {
            TimeSpan poll = TimeSpan.FromMilliseconds(Math.Clamp(HeartbeatInterval.TotalMilliseconds / 4, 10, 1000));
            await Task.Delay(poll, study.TimeProvider, stopScheduling.Token).ConfigureAwait(false);
            await study.FailAbandonedLocalTrialsAsync(stopScheduling.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopScheduling.IsCancellationRequested)
        {
            return false;
        }

        return true;
    }

    /// <summary>Runs a trial and records its result; returns the next trial when the storage started it with the finish.</summary>
    private async Task<StudyTrial?> RunTrialAsync(StudyTrial trial)
    {
        // The objective runs inside the trial's activity; every way out of this method ends it once.
        HpoTelemetry.TrialTelemetry telemetry = HpoTelemetry.StartTrial(study.Name, trial.Number);
        using var trialCts = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        TrialFinish finish;
        Exception? thrown = null;
        RetryOn cause = RetryOn.None;
        try
        {
            ObjectiveResult result;
            if (trialTimeout is TimeSpan limit)
            {
                // On its own task, so that the limit holds even for an objective that blocks before its first await.
                Task<ObjectiveResult> evaluation = Task.Run(() => objective.EvaluateAsync(trial, trialCts.Token).AsTask(), CancellationToken.None);
                result = await evaluation.WaitAsync(limit, study.TimeProvider, callerToken).ConfigureAwait(false);
            }
            else
            {
                result = await objective.EvaluateAsync(trial, trialCts.Token).ConfigureAwait(false);
            }

            finish = Study.ToFinish(result, trial.LastReportedValue);
        }
        catch (TimeoutException e) when (trialTimeout is TimeSpan limit && !callerToken.IsCancellationRequested)
        {
            await trialCts.CancelAsync().ConfigureAwait(false);
            finish = new TrialFinish(TrialState.Failed, [], Format.Invariant($"Timed out: the trial ran longer than its {limit.TotalSeconds:0.###} s limit."), e.GetType().FullName);
            cause = RetryOn.Timeout;
        }
        catch (OperationCanceledException e) when (callerToken.IsCancellationRequested)
        {
            finish = new TrialFinish(TrialState.Failed, [], "Cancelled: the study was cancelled while the trial ran.", e.GetType().FullName);
        }
        catch (TrialPrunedException)
        {
            finish = Study.ToFinish(ObjectiveResult.Pruned(), trial.LastReportedValue);
        }
        catch (TrialExecutionException e)
        {
            // An executor's reason is already a sentence about the trial: record it as is, with the type of its cause.
            thrown = e;
            finish = new TrialFinish(TrialState.Failed, [], e.Message, (e.InnerException ?? e).GetType().FullName);
        }
        catch (Exception e)
        {
            thrown = e;
            finish = new TrialFinish(TrialState.Failed, [], $"{e.GetType().Name}: {e.Message}", e.GetType().FullName);
            cause = RetryOn.Exception;
        }

        bool retried = cause != RetryOn.None && Retries(trial.Record, cause);
        if (retried)
        {
            finish = finish with { RetryAsNewTrial = true };
        }

        // When the trial went well and nothing may stop the run in between (a failure policy, a callback), the finish also starts
        // the next trial: one storage operation instead of two.
        bool startNext = thrown is null && !finish.RetryAsNewTrial && options.OnTrialFinished is null && !stopScheduling.IsCancellationRequested && TryCountStart();
        TrialRecord done;
        TrialRecord? nextRecord = null;
        try
        {
            if (startNext)
            {
                (done, nextRecord) = await study.FinishAndStartAsync(trial.Id, finish, owner).ConfigureAwait(false);
            }
            else
            {
                done = await study.FinishAsync(trial.Id, finish, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (TrialAlreadyFinishedException e)
        {
            if (startNext)
            {
                Interlocked.Decrement(ref started);
            }

            LateResult(trial, finish, e);
            telemetry.End("late");
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The storage did not take the result (a PostgreSQL outage longer than its retry window, SQLite's busy timeout...). The
            // trial must not stay Running under this worker's heartbeats, and this loop must go on: retry, then record it as failed.
            if (startNext)
            {
                Interlocked.Decrement(ref started);
                startNext = false;
            }

            TrialRecord? recorded = await RecordAfterFailedFinishAsync(trial, finish, e).ConfigureAwait(false);
            if (recorded is null)
            {
                telemetry.End("unrecorded", error: true);
                return null;
            }

            done = recorded;
        }

        Interlocked.Increment(ref finished);
        telemetry.End(done.State);
        if (thrown is not null)
        {
            study.Logger.LogWarning(thrown, "Study {Study}: trial {Number} failed{Retry}.", study.Name, trial.Number, retried ? "; it will be retried as a new trial" : string.Empty);

            // A failure that is retried does not stop the study: its retry may succeed.
            if (!retried && options.FailurePolicy == FailurePolicy.Stop && Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(thrown), null) is null)
            {
                await stopScheduling.CancelAsync().ConfigureAwait(false);
            }
        }
        else if (study.Logger.IsEnabled(LogLevel.Debug))
        {
            study.Logger.LogDebug("Study {Study}: trial {Number} finished {State} with {Values}.", study.Name, done.Number, done.State, done.Values);
        }

        if (options.OnTrialFinished is { } callback)
        {
            await callbackGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                (TrialCounts counts, TrialRecord? best) = study.Summary;
                await callback(new TrialFinishedArguments(study, done, best, counts)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                study.Logger.LogError(e, "Study {Study}: the OnTrialFinished callback threw; the study goes on.", study.Name);
            }
            finally
            {
                callbackGate.Release();
            }
        }

        if (!startNext)
        {
            return null;
        }

        if (nextRecord is null)
        {
            // The budget is filled: the worker loop asks again and waits for the running trials.
            Interlocked.Decrement(ref started);
            return null;
        }

        try
        {
            return await study.ProposeStartedAsync(nextRecord, callerToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (callerToken.IsCancellationRequested)
        {
            Interlocked.Decrement(ref started);
            return null;
        }
        catch (Exception e)
        {
            await AskFailedAsync(e).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// A result the storage refused because the trial was finished elsewhere: its lease expired (it is Stale, and perhaps retried),
    /// or another worker recorded it. Counted and logged as a warning; never silent.
    /// </summary>
    private void LateResult(StudyTrial trial, TrialFinish finish, TrialAlreadyFinishedException e)
    {
        Interlocked.Increment(ref lateResults);
        study.Logger.LogWarning(e, "Study {Study}: trial {Number} was finished elsewhere (its lease expired, or another worker recorded it) before this worker could record its result ({State}); the result is not counted.", study.Name, trial.Number, finish.State);
    }

    /// <summary>
    /// Records a result after the storage failed to take it: tries the same finish again a few times with backoff, then records the
    /// trial as failed with the reason. When even that fails, the trial is kept to be recorded by the heartbeat loop and at the end
    /// of the run, and the run stops with the storage's error (its other trials are finished first). Returns the finished trial, or
    /// <see langword="null"/> when nothing could be recorded or the trial was finished elsewhere.
    /// </summary>
    private async Task<TrialRecord?> RecordAfterFailedFinishAsync(StudyTrial trial, TrialFinish finish, Exception first)
    {
        study.Logger.LogWarning(first, "Study {Study}: recording the result of trial {Number} failed; retrying.", study.Name, trial.Number);
        Exception last = first;
        foreach (TimeSpan delay in FinishRetryDelays)
        {
            await Task.Delay(delay, study.TimeProvider, CancellationToken.None).ConfigureAwait(false);
            try
            {
                return await study.FinishAsync(trial.Id, finish, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TrialAlreadyFinishedException e)
            {
                // Perhaps the failed call had reached the storage after all (an unknown outcome); otherwise the trial went stale.
                TrialRecord? stored = await TryGetTrialAsync(trial.Number).ConfigureAwait(false);
                if (stored is not null && stored.State == finish.State && stored.Values.SequenceEqual(finish.Values))
                {
                    return stored;
                }

                LateResult(trial, finish, e);
                return null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }
        }

        var failed = new TrialFinish(
            TrialState.Failed,
            [],
            Format.Invariant($"The result ({finish.State}{(finish.Values.Count > 0 ? " " + string.Join(", ", finish.Values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) : string.Empty)}) could not be recorded: {last.GetType().Name}: {last.Message}"),
            last.GetType().FullName);
        try
        {
            TrialRecord done = await study.FinishAsync(trial.Id, failed, CancellationToken.None).ConfigureAwait(false);
            study.Logger.LogError(last, "Study {Study}: the result of trial {Number} could not be recorded; the trial is recorded as failed.", study.Name, trial.Number);
            return done;
        }
        catch (TrialAlreadyFinishedException e)
        {
            LateResult(trial, finish, e);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The storage takes nothing: stop starting trials rather than run trials whose results are lost, and record this one
            // when the storage comes back (the heartbeat loop tries, and the end of the run).
            pendingFinishes[trial.Id] = (trial, failed);
            study.Logger.LogError(e, "Study {Study}: trial {Number} could not be recorded, not even as failed; the run stops and records it when the storage answers again.", study.Name, trial.Number);
            Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(last), null);
            await stopScheduling.CancelAsync().ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Records the trials whose finish failed earlier; those the storage still refuses stay pending.</summary>
    private async Task FlushPendingFinishesAsync()
    {
        foreach ((long id, (StudyTrial trial, TrialFinish finish)) in pendingFinishes)
        {
            try
            {
                await study.FinishAsync(id, finish, CancellationToken.None).ConfigureAwait(false);
                pendingFinishes.TryRemove(id, out _);
                Interlocked.Increment(ref finished);
            }
            catch (TrialAlreadyFinishedException)
            {
                pendingFinishes.TryRemove(id, out _);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                study.Logger.LogWarning(e, "Study {Study}: trial {Number} still cannot be recorded as failed.", study.Name, trial.Number);
            }
        }
    }

    private async Task<TrialRecord?> TryGetTrialAsync(int number)
    {
        try
        {
            return await study.Storage.GetTrialAsync(study.Record.Id, number, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Determines whether the study's retry policy re-runs a trial that failed for <paramref name="cause"/>.</summary>
    private bool Retries(TrialRecord trial, RetryOn cause)
    {
        StudyDefinition definition = study.Record.Definition;
        return definition.RetryOn.HasFlag(cause) && trial.Parameters.Count > 0 && TrialRetry.Attempt(trial) < definition.MaxRetries;
    }

    private async Task HeartbeatLoopAsync()
    {
        while (!stopHeartbeat.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HeartbeatInterval, study.TimeProvider, stopHeartbeat.Token).ConfigureAwait(false);
                if (!pendingFinishes.IsEmpty)
                {
                    await FlushPendingFinishesAsync().ConfigureAwait(false);
                }

                await study.Storage.RenewHeartbeatsAsync(study.Record.Id, owner, stopHeartbeat.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopHeartbeat.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                study.Logger.LogWarning(e, "Study {Study}: renewing heartbeats failed; retrying at the next interval.", study.Name);
            }
        }
    }
}
