using System.Runtime.ExceptionServices;
using Hpo.Execution;
using Hpo.Internal;
using Hpo.Objectives;
using Hpo.Storage;
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
    private readonly CancellationTokenSource stopScheduling;
    private readonly CancellationTokenSource timeoutSource;
    private readonly CancellationTokenSource stopHeartbeat = new();
    private readonly SemaphoreSlim callbackGate = new(1, 1);
    private readonly string owner = WorkerIdentity.NewOwner();
    private int started;
    private int finished;
    private ExceptionDispatchInfo? failure;
    private volatile bool budgetReached;

    public OptimizeRun(Study study, IObjective objective, OptimizeOptions options, CancellationToken callerToken)
    {
        this.study = study;
        this.objective = objective;
        this.options = options;
        this.callerToken = callerToken;

        // The run's timeout runs on the study's clock, so tests can drive it with a fake one.
        timeoutSource = options.Timeout is TimeSpan timeout
            ? new CancellationTokenSource(timeout, study.TimeProvider)
            : new CancellationTokenSource();
        stopScheduling = CancellationTokenSource.CreateLinkedTokenSource(callerToken, timeoutSource.Token, options.StopToken);
    }

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
        }

        failure?.Throw();
        callerToken.ThrowIfCancellationRequested();
        await study.SyncHistoryAsync(CancellationToken.None).ConfigureAwait(false);
        (TrialCounts counts, TrialRecord? best) = study.Summary;
        OptimizeStopReason reason = budgetReached ? OptimizeStopReason.BudgetReached
            : options.TrialCount is int n && started >= n ? OptimizeStopReason.TrialCountReached
            : options.StopToken.IsCancellationRequested && !timeoutSource.IsCancellationRequested ? OptimizeStopReason.Stopped
            : OptimizeStopReason.TimedOut;
        return new OptimizeResult(finished, reason, counts, best);
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
        using var trialCts = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        TrialFinish finish;
        Exception? thrown = null;
        RetryOn cause = RetryOn.None;
        try
        {
            ObjectiveResult result;
            if (options.TrialTimeout is TimeSpan limit)
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
        catch (TimeoutException e) when (options.TrialTimeout is TimeSpan limit && !callerToken.IsCancellationRequested)
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

            study.Logger.LogWarning(e, "Study {Study}: trial {Number} was finished elsewhere before this worker could record its result ({State}).", study.Name, trial.Number, finish.State);
            return null;
        }

        Interlocked.Increment(ref finished);
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
