using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Hpo.Execution;
using Hpo.Internal;
using Hpo.Objectives;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Telemetry;
using Hpo.Trials;
using Microsoft.Extensions.Logging;

namespace Hpo.Scheduling;

/// <summary>
/// One run of the <see cref="TrialScheduler"/>: its worker loops (concurrency), per-trial timeouts, the failure policy, the wait for
/// the budget, the heartbeats of its trials, the finish retries and held results, and the graceful stop: once
/// <see cref="RunSettings.StopToken"/> is cancelled no trial starts; with a <see cref="RunSettings.GracePeriod"/>, the trials still
/// running when it has passed are handed back (recorded stale, so the retry policy runs them again) and cancelled, and the run
/// returns without waiting more than <see cref="RunSettings.AbandonAfter"/> for them. The caller's token is the hard
/// cancellation: running trials see it and are recorded as failed ("cancelled").
/// </summary>
internal sealed class ScheduledRun : IDisposable
{
    private readonly TrialScheduler scheduler;
    private readonly IObjective objective;
    private readonly RunSettings options;
    private readonly CancellationToken callerToken;
    private readonly TimeSpan? trialTimeout;
    private readonly CancellationTokenSource stopScheduling;
    private readonly CancellationTokenSource timeoutSource;
    private readonly CancellationTokenSource stopHeartbeat = new();
    private readonly CancellationTokenSource handBack = new();
    private readonly CancellationTokenSource graceWait = new();
    private readonly SemaphoreSlim callbackGate = new(1, 1);
    private readonly string owner = WorkerIdentity.NewOwner();
    private readonly ConcurrentDictionary<long, (StudyTrial Trial, TrialFinish Finish)> pendingFinishes = new();
    private readonly ConcurrentDictionary<long, StudyTrial> running = new();
    private readonly ConcurrentDictionary<long, byte> handedBackIds = new();
    private readonly bool graceful;
    private int started;
    private int finished;
    private int lateResults;
    private int handedBack;
    private bool abandoned;
    private ExceptionDispatchInfo? failure;
    private volatile bool budgetReached;

    public ScheduledRun(TrialScheduler scheduler, IObjective objective, RunSettings options, CancellationToken callerToken)
    {
        this.scheduler = scheduler;
        this.objective = objective;
        this.options = options;
        this.callerToken = callerToken;

        // The run's timeout runs on the study's clock, so tests can drive it with a fake one.
        // A timeout at or above the timer's limit (about 49.7 days) or Timeout.InfiniteTimeSpan means no limit.
        trialTimeout = Durations.Bounded(options.TrialTimeout);
        timeoutSource = Durations.Bounded(options.Timeout) is TimeSpan timeout
            ? new CancellationTokenSource(timeout, scheduler.TimeProvider)
            : new CancellationTokenSource();
        stopScheduling = CancellationTokenSource.CreateLinkedTokenSource(callerToken, timeoutSource.Token, options.StopToken);
        graceful = Durations.Bounded(options.GracePeriod) is not null && options.StopToken.CanBeCanceled;
    }

    private ILogger Logger => scheduler.Logger;

    private string StudyName => scheduler.Name;

    public async Task<RunOutcome> RunAsync()
    {
        callerToken.ThrowIfCancellationRequested();
        await scheduler.CleanUpOrphansAsync(callerToken).ConfigureAwait(false);
        var horizon = new RunHorizon(options.TrialCount, options.Timeout, scheduler.TimeProvider);
        scheduler.RunHorizonOfRun = horizon.IsKnown ? horizon : null;
        Task heartbeat = HeartbeatLoopAsync();
        var workers = new Task[options.Concurrency];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(WorkerLoopAsync, CancellationToken.None);
        }

        Task all = Task.WhenAll(workers);
        try
        {
            if (graceful && Durations.Bounded(options.GracePeriod) is TimeSpan grace)
            {
                Task graceOver = GraceOverAsync(grace);
                if (await Task.WhenAny(all, graceOver).ConfigureAwait(false) == graceOver && !all.IsCompleted)
                {
                    await HandBackRunningAsync().ConfigureAwait(false);
                    await handBack.CancelAsync().ConfigureAwait(false);
                    try
                    {
                        // A trial that ignores its cancellation must not keep the run alive.
                        await all.WaitAsync(options.AbandonAfter, scheduler.TimeProvider, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        abandoned = true;
                        SchedulerLog.Abandoned(Logger, StudyName, options.AbandonAfter.TotalSeconds);
                    }
                }
            }

            if (!abandoned)
            {
                await all.ConfigureAwait(false);
            }
        }
        finally
        {
            if (ReferenceEquals(scheduler.RunHorizonOfRun, horizon))
            {
                scheduler.RunHorizonOfRun = null;
            }

            await graceWait.CancelAsync().ConfigureAwait(false);
            await stopHeartbeat.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            await FlushPendingFinishesAsync().ConfigureAwait(false);
        }

        failure?.Throw();
        callerToken.ThrowIfCancellationRequested();
        await scheduler.SyncHistoryAsync(CancellationToken.None).ConfigureAwait(false);
        (TrialCounts counts, TrialRecord? best) = scheduler.Summary;
        RunEnd end = budgetReached ? RunEnd.BudgetReached
            : options.TrialCount is int n && started >= n ? RunEnd.TrialCountReached
            : options.StopToken.IsCancellationRequested && !timeoutSource.IsCancellationRequested ? RunEnd.Stopped
            : RunEnd.TimedOut;
        return new RunOutcome(Volatile.Read(ref finished), end, counts, best, Volatile.Read(ref lateResults), Volatile.Read(ref handedBack), abandoned);
    }

    public void Dispose()
    {
        if (abandoned)
        {
            // Abandoned trials still run and may read these tokens: leave them to the garbage collector.
            return;
        }

        stopScheduling.Dispose();
        timeoutSource.Dispose();
        stopHeartbeat.Dispose();
        handBack.Dispose();
        graceWait.Dispose();
        callbackGate.Dispose();
    }

    /// <summary>Completes once a stop was requested and the grace period has passed since (never when the run ends first).</summary>
    private async Task GraceOverAsync(TimeSpan grace)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(options.StopToken, graceWait.Token);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (graceWait.IsCancellationRequested)
        {
            return;
        }

        SchedulerLog.StopRequested(Logger, StudyName, running.Count, grace.TotalSeconds);
        try
        {
            await Task.Delay(grace, scheduler.TimeProvider, graceWait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Hands back the trials this run still runs (recorded stale with the reason), in number order.</summary>
    private async Task HandBackRunningAsync()
    {
        foreach (StudyTrial trial in running.Values.OrderBy(t => t.Number))
        {
            await HandBackAsync(trial).ConfigureAwait(false);
        }
    }

    /// <summary>Hands one trial back; true when this call recorded it stale.</summary>
    private async Task<bool> HandBackAsync(StudyTrial trial)
    {
        handedBackIds[trial.Id] = 0;
        TrialRecord? stale;
        try
        {
            stale = await scheduler.HandBackAsync(trial.Id, owner).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SchedulerLog.HandBackFailed(Logger, e, StudyName, trial.Number);
            return false;
        }

        if (stale is null)
        {
            return false;
        }

        Interlocked.Increment(ref handedBack);
        SchedulerLog.HandedBack(Logger, StudyName, trial.Number);
        if (options.OnTrialHandedBack is { } callback)
        {
            await callbackGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await callback(stale).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The other trials must still be handed back.
                SchedulerLog.HandedBackCallbackThrew(Logger, e, StudyName, trial.Number);
            }
            finally
            {
                callbackGate.Release();
            }
        }

        return true;
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
                    trial = await scheduler.TryStartAsync(owner, callerToken).ConfigureAwait(false);
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
        TrialCounts counts = await scheduler.Storage.GetTrialCountsAsync(scheduler.Record.Id, CancellationToken.None).ConfigureAwait(false);
        if (scheduler.Record.Definition.Budget is int budget && counts.Finished >= budget)
        {
            budgetReached = true;
            return false;
        }

        try
        {
            TimeSpan poll = TimeSpan.FromMilliseconds(Math.Clamp(scheduler.HeartbeatInterval.TotalMilliseconds / 4, 10, 1000));
            await Task.Delay(poll, scheduler.TimeProvider, stopScheduling.Token).ConfigureAwait(false);
            await scheduler.FailAbandonedLocalTrialsAsync(stopScheduling.Token).ConfigureAwait(false);
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
        HpoTelemetry.TrialTelemetry telemetry = HpoTelemetry.StartTrial(StudyName, trial.Number);
        // Trials can be handed back only with a grace period: otherwise the trial's token and bookkeeping stay as cheap as before.
        using CancellationTokenSource trialCts = graceful
            ? CancellationTokenSource.CreateLinkedTokenSource(callerToken, handBack.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        if (graceful)
        {
            running[trial.Id] = trial;
        }

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
                result = await evaluation.WaitAsync(limit, scheduler.TimeProvider, callerToken).ConfigureAwait(false);
            }
            else
            {
                result = await objective.EvaluateAsync(trial, trialCts.Token).ConfigureAwait(false);
            }

            finish = TrialScheduler.ToFinish(result, trial.LastReportedValue);
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
            finish = TrialScheduler.ToFinish(ObjectiveResult.Pruned(), trial.LastReportedValue);
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

        if (graceful)
        {
            running.TryRemove(trial.Id, out _);
        }

        if (graceful && finish.State == TrialState.Failed && handBack.IsCancellationRequested && !handedBackIds.ContainsKey(trial.Id) && !callerToken.IsCancellationRequested)
        {
            // It started (or joined the running set) just as the others were handed back, and failed of the cancellation: hand it
            // back too rather than record the cancellation as its failure.
            await HandBackAsync(trial).ConfigureAwait(false);
        }

        if (graceful && handedBackIds.ContainsKey(trial.Id))
        {
            // Handed back after the grace period: the trial is recorded stale (and perhaps retried elsewhere); its result, if
            // any, arrives too late to be recorded.
            telemetry.End("handed_back");
            return null;
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
                (done, nextRecord) = await scheduler.FinishAndStartAsync(trial.Id, finish, owner).ConfigureAwait(false);
            }
            else
            {
                done = await scheduler.FinishAsync(trial.Id, finish, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (TrialAlreadyFinishedException e)
        {
            if (startNext)
            {
                Interlocked.Decrement(ref started);
            }

            if (!handedBackIds.ContainsKey(trial.Id))
            {
                LateResult(trial, finish, e);
            }

            telemetry.End(handedBackIds.ContainsKey(trial.Id) ? "handed_back" : "late");
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
            SchedulerLog.TrialFailed(Logger, thrown, StudyName, trial.Number, retried ? "; it will be retried as a new trial" : string.Empty);

            // A failure that is retried does not stop the study: its retry may succeed.
            if (!retried && options.StopOnFailure && Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(thrown), null) is null)
            {
                await stopScheduling.CancelAsync().ConfigureAwait(false);
            }
        }
        else
        {
            SchedulerLog.TrialFinished(Logger, StudyName, done.Number, done.State, done.Values);
        }

        if (options.OnTrialFinished is { } callback)
        {
            await callbackGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await callback(done).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                SchedulerLog.FinishedCallbackThrew(Logger, e, StudyName);
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
            return await scheduler.ProposeStartedAsync(nextRecord, callerToken).ConfigureAwait(false);
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
        SchedulerLog.LateResult(Logger, e, StudyName, trial.Number, finish.State);
    }

    /// <summary>
    /// Records a result after the storage failed to take it: tries the same finish again a few times with backoff, then records the
    /// trial as failed with the reason. When even that fails, the trial is kept to be recorded by the heartbeat loop and at the end
    /// of the run, and the run stops with the storage's error (its other trials are finished first). Returns the finished trial, or
    /// <see langword="null"/> when nothing could be recorded or the trial was finished elsewhere.
    /// </summary>
    private async Task<TrialRecord?> RecordAfterFailedFinishAsync(StudyTrial trial, TrialFinish finish, Exception first)
    {
        SchedulerLog.FinishFailedRetrying(Logger, first, StudyName, trial.Number);
        Exception last = first;
        foreach (TimeSpan delay in TrialScheduler.FinishRetryDelays)
        {
            await Task.Delay(delay, scheduler.TimeProvider, CancellationToken.None).ConfigureAwait(false);
            try
            {
                return await scheduler.FinishAsync(trial.Id, finish, CancellationToken.None).ConfigureAwait(false);
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
            TrialRecord done = await scheduler.FinishAsync(trial.Id, failed, CancellationToken.None).ConfigureAwait(false);
            SchedulerLog.ResultRecordedAsFailed(Logger, last, StudyName, trial.Number);
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
            SchedulerLog.ResultHeld(Logger, e, StudyName, trial.Number);
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
                await scheduler.FinishAsync(id, finish, CancellationToken.None).ConfigureAwait(false);
                pendingFinishes.TryRemove(id, out _);
                Interlocked.Increment(ref finished);
            }
            catch (TrialAlreadyFinishedException)
            {
                pendingFinishes.TryRemove(id, out _);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                SchedulerLog.HeldResultStillRefused(Logger, e, StudyName, trial.Number);
            }
        }
    }

    private async Task<TrialRecord?> TryGetTrialAsync(int number)
    {
        try
        {
            return await scheduler.Storage.GetTrialAsync(scheduler.Record.Id, number, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Determines whether the study's retry policy re-runs a trial that failed for <paramref name="cause"/>.</summary>
    private bool Retries(TrialRecord trial, RetryOn cause)
    {
        StudyDefinition definition = scheduler.Record.Definition;
        return definition.RetryOn.HasFlag(cause) && trial.Parameters.Count > 0 && TrialRetry.Attempt(trial) < definition.MaxRetries;
    }

    private async Task HeartbeatLoopAsync()
    {
        while (!stopHeartbeat.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(scheduler.HeartbeatInterval, scheduler.TimeProvider, stopHeartbeat.Token).ConfigureAwait(false);
                if (!pendingFinishes.IsEmpty)
                {
                    await FlushPendingFinishesAsync().ConfigureAwait(false);
                }

                await scheduler.Storage.RenewHeartbeatsAsync(scheduler.Record.Id, owner, stopHeartbeat.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopHeartbeat.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                SchedulerLog.HeartbeatFailed(Logger, e, StudyName);
            }
        }
    }
}
