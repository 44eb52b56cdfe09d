using System.Collections.Concurrent;
using Hpo.Execution;
using Hpo.Internal;
using Hpo.Objectives;
using Hpo.Pruners;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Telemetry;
using Hpo.Trials;
using Hpo.Tuners;
using Microsoft.Extensions.Logging;

namespace Hpo.Scheduling;

/// <summary>
/// The one scheduler of a study object: everything that happens to a trial between the storage and the objective. It starts
/// trials and orders their proposals (one at a time in this object; across workers in a finite space), renews the heartbeats of
/// asked trials and of runs' trials, cleans up orphans (trials of processes gone from this host, expired leases), records
/// results (with retries and held results when the storage fails), and runs <see cref="ScheduledRun"/>s: worker loops,
/// timeouts, failure policy, graceful stop and hand-back. <c>Study</c> is its public face; <c>StudyWorker</c>, <c>hpo worker</c>
/// and the hosted worker call <c>Study.OptimizeAsync</c>. Thread-safe.
/// </summary>
internal sealed class TrialScheduler
{
    private readonly StudyHistory history;
    private readonly SemaphoreSlim proposeGate = new(1, 1);
    private readonly ConcurrentDictionary<long, byte> askedTrials = new();
    private readonly ConcurrentDictionary<long, byte> proposing = new(); // trials this object is proposing
    private readonly bool finiteSpace;
    private volatile RunHorizon? runHorizon;
    private int askHeartbeatRunning;
    private int askedCount; // at least askedTrials.Count, so that finishing a trial that was not asked skips the dictionary

    public TrialScheduler(IStudyStorage storage, StudyRecord record, ITuner tuner, IPruner? pruner, ILogger logger, TimeProvider timeProvider)
    {
        Storage = storage;
        Record = record;
        Tuner = tuner;
        Pruner = pruner;
        Logger = logger;
        TimeProvider = timeProvider;
        history = new StudyHistory(record.Definition.Direction);
        finiteSpace = record.Definition.SearchSpace.Parameters.All(p => p.Distribution.IsDiscrete);
    }

    /// <summary>The waits before each new attempt to record a result the storage failed to take (then it is recorded as failed).</summary>
    internal static readonly TimeSpan[] FinishRetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    public IStudyStorage Storage { get; }

    public StudyRecord Record { get; }

    public string Name => Record.Name;

    public SearchSpace SearchSpace => Record.Definition.SearchSpace;

    public ITuner Tuner { get; }

    public IPruner? Pruner { get; }

    public ILogger Logger { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Gets how often running trials' heartbeats are renewed: every third of the study's lease.</summary>
    public TimeSpan HeartbeatInterval => Record.Definition.Lease / 3;

    /// <summary>Gets the counts and the best trial of this process's copy of the history.</summary>
    public (TrialCounts Counts, TrialRecord? Best) Summary => history.Summary;

    /// <summary>Gets or sets the horizon of the run in progress (the last one started wins), for <see cref="TunerContext.Horizon"/>.</summary>
    public RunHorizon? RunHorizonOfRun
    {
        get => runHorizon;
        set => runHorizon = value;
    }

    /// <summary>Runs trials of <paramref name="objective"/> as <paramref name="settings"/> say (see <see cref="ScheduledRun"/>).</summary>
    public async Task<RunOutcome> RunAsync(IObjective objective, RunSettings settings, CancellationToken cancellationToken)
    {
        using var run = new ScheduledRun(this, objective, settings, cancellationToken);
        return await run.RunAsync().ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<TrialRecord>> SyncHistoryAsync(CancellationToken cancellationToken) => history.SyncAsync(Storage, Record.Id, cancellationToken);

    /// <summary>Starts a trial for an ask/tell caller and renews its heartbeat until it is finished; null when the budget is filled.</summary>
    public async ValueTask<StudyTrial?> AskAsync(CancellationToken cancellationToken)
    {
        StudyTrial? trial = await TryStartAsync(AskOwner.Value, cancellationToken).ConfigureAwait(false);
        if (trial is null)
        {
            return null;
        }

        Interlocked.Increment(ref askedCount);
        askedTrials[trial.Id] = 0;
        if (Interlocked.CompareExchange(ref askHeartbeatRunning, 1, 0) == 0)
        {
            _ = Task.Run(AskHeartbeatLoopAsync, CancellationToken.None);
        }

        return trial;
    }

    /// <summary>Starts a trial for <paramref name="owner"/> (claims a waiting one or creates one) and proposes its parameters; null when the budget is filled.</summary>
    public async ValueTask<StudyTrial?> TryStartAsync(string owner, CancellationToken cancellationToken)
    {
        TrialRecord? started;
        using (HpoTelemetry.TimeStorage("start_trial"))
        {
            started = await Storage.StartTrialAsync(Record.Id, owner, cancellationToken).ConfigureAwait(false);
        }

        return started is null ? null : await ProposeStartedAsync(started, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finishes a trial and starts the next for <paramref name="owner"/> in one storage operation. The finish is recorded whatever
    /// happens to the next trial, whose parameters the caller proposes with <see cref="ProposeStartedAsync"/>.
    /// </summary>
    public async ValueTask<(TrialRecord Done, TrialRecord? Next)> FinishAndStartAsync(long trialId, TrialFinish finish, string owner)
    {
        FinishAndStartResult result;
        try
        {
            using (HpoTelemetry.TimeStorage("finish_and_start_trial"))
            {
                result = await Storage.FinishAndStartTrialAsync(trialId, finish, Record.Id, owner, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (TrialAlreadyFinishedException)
        {
            ForgetAsked(trialId);
            throw;
        }

        ForgetAsked(trialId);
        history.Apply(result.Finished);
        return (result.Finished, result.Next);
    }

    /// <summary>Records a trial's result.</summary>
    public async ValueTask<TrialRecord> FinishAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken)
    {
        TrialRecord done;
        try
        {
            using (HpoTelemetry.TimeStorage("finish_trial"))
            {
                done = await Storage.FinishTrialAsync(trialId, finish, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TrialAlreadyFinishedException)
        {
            ForgetAsked(trialId);
            throw;
        }

        ForgetAsked(trialId);
        history.Apply(done);
        return done;
    }

    /// <summary>Proposes the parameters of a trial just started in the storage (unless it has some) and hands it out.</summary>
    public async ValueTask<StudyTrial> ProposeStartedAsync(TrialRecord started, CancellationToken cancellationToken)
    {
        if (started.Parameters.Count == 0 && SearchSpace.Count > 0)
        {
            long id = started.Id;
            proposing[id] = 0;
            try
            {
                started = await ProposeAsync(started, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The trial is started in the storage: finish it, or it would stay running (and count against the budget)
                // until its lease expired.
                await FailUnproposedAsync(started, e).ConfigureAwait(false);
                throw;
            }
            finally
            {
                proposing.TryRemove(id, out _);
            }
        }

        history.Apply(started);
        return new StudyTrial(this, started);
    }

    /// <summary>
    /// Cleans up before a run: records as stale the running trials whose owner is gone from this host, then asks the storage to
    /// mark expired leases.
    /// </summary>
    public async Task CleanUpOrphansAsync(CancellationToken cancellationToken)
    {
        await FailAbandonedLocalTrialsAsync(cancellationToken).ConfigureAwait(false);
        await Storage.FailOrphanedTrialsAsync(Record.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records as stale the running trials whose owner is known to be gone from this host (a killed process), without waiting for their lease.</summary>
    public async Task FailAbandonedLocalTrialsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<TrialRecord> trials = await SyncHistoryAsync(cancellationToken).ConfigureAwait(false);
        foreach (TrialRecord t in trials)
        {
            if (t.State == TrialState.Running && t.Id >= 0 && WorkerIdentity.IsLocalOwnerGone(t.Owner))
            {
                string reason = $"Stale: its worker {t.Owner} is no longer running on this host.";
                TrialRecord? stale = await Storage.FailAbandonedTrialAsync(t.Id, t.Owner!, reason, cancellationToken).ConfigureAwait(false);
                if (stale is not null)
                {
                    history.Apply(stale);
                    SchedulerLog.OrphanRecordedStale(Logger, Name, t.Number, t.Owner);
                }
            }
        }
    }

    /// <summary>
    /// Hands a running trial back: records it stale with the reason (the study's retry policy may run it again, and the budget does
    /// not count it). Returns the stale record, or <see langword="null"/> when the trial was no longer running under its owner.
    /// </summary>
    public async Task<TrialRecord?> HandBackAsync(long trialId, string owner)
    {
        string reason = $"Stale: handed back by a worker that was stopped ({Environment.MachineName}, pid {Environment.ProcessId}) before the trial finished.";
        TrialRecord? stale = await Storage.FailAbandonedTrialAsync(trialId, owner, reason, CancellationToken.None).ConfigureAwait(false);
        if (stale is not null)
        {
            ForgetAsked(trialId);
            history.Apply(stale);
        }

        return stale;
    }

    /// <summary>Translates an objective's result into the finish to record.</summary>
    public static TrialFinish ToFinish(ObjectiveResult result, double? lastReported)
    {
        if (result.IsPruned)
        {
            double? last = result.Value ?? lastReported;
            return new TrialFinish(TrialState.Pruned, last is double v && double.IsFinite(v) ? [v] : []);
        }

        double value = result.Value!.Value;
        return double.IsFinite(value)
            ? new TrialFinish(TrialState.Complete, [value])
            : new TrialFinish(TrialState.Failed, [], $"The objective returned {Format.Value(value)}, which is not a finite number.");
    }

    private async Task FailUnproposedAsync(TrialRecord started, Exception cause)
    {
        string reason = cause is OperationCanceledException
            ? "Cancelled: the study was cancelled before the trial's parameters were proposed."
            : $"No parameters: proposing them failed with {cause.GetType().Name}: {cause.Message}";
        try
        {
            history.Apply(await Storage.FinishTrialAsync(started.Id, new TrialFinish(TrialState.Failed, [], reason, cause.GetType().FullName), CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception e) when (e is TrialAlreadyFinishedException or StorageException)
        {
            SchedulerLog.UnproposedNotRecorded(Logger, e, Name, started.Number);
        }
    }

    private void ForgetAsked(long trialId)
    {
        if (Volatile.Read(ref askedCount) > 0 && askedTrials.TryRemove(trialId, out _))
        {
            Interlocked.Decrement(ref askedCount);
        }
    }

    private async Task AskHeartbeatLoopAsync()
    {
        while (true)
        {
            if (askedTrials.IsEmpty)
            {
                Volatile.Write(ref askHeartbeatRunning, 0);

                // An AskAsync between the check and the reset would have seen the flag still set: take the loop back if so.
                if (askedTrials.IsEmpty || Interlocked.CompareExchange(ref askHeartbeatRunning, 1, 0) != 0)
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(HeartbeatInterval, TimeProvider).ConfigureAwait(false);
                if (!askedTrials.IsEmpty)
                {
                    await Storage.RenewHeartbeatsAsync(Record.Id, AskOwner.Value, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (ObjectDisposedException)
            {
                // The storage is closed: nothing can be renewed any more.
                askedTrials.Clear();
                Volatile.Write(ref askHeartbeatRunning, 0);
                return;
            }
            catch (Exception e) when (e is StorageException or InvalidOperationException)
            {
                SchedulerLog.AskedHeartbeatFailed(Logger, e, Name);
            }
        }
    }

    /// <summary>
    /// Proposes a started trial's parameters and stores them. One proposal at a time in this object, from the sync to the stored
    /// parameters, so that the next proposal sees this one's point. In a finite space, proposals across workers (other processes,
    /// other study objects) are ordered as well: the proposal first waits until every trial numbered below it that another worker
    /// is proposing has its parameters (bounded by the lease), so that no two concurrent trials get the same point.
    /// </summary>
    private async ValueTask<TrialRecord> ProposeAsync(TrialRecord started, CancellationToken cancellationToken)
    {
        if (finiteSpace)
        {
            await WaitForEarlierProposalsAsync(started.Number, cancellationToken).ConfigureAwait(false);
        }

        await proposeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A tuner that does not read the history gets none: no read of the storage, and no snapshot of this process's copy,
            // whose cost grows with the study (other workers' trials stay unfinished placeholders in it when nothing syncs).
            IReadOnlyList<TrialRecord> trials = Tuner.UsesHistory(SearchSpace)
                ? await SyncHistoryAsync(cancellationToken).ConfigureAwait(false)
                : [];
            StudyDefinition definition = Record.Definition;
            int? horizon = definition.Budget is null ? runHorizon?.For(started.Number) : null;
            var context = new TunerContext(SearchSpace, trials, definition.Directions, started.Number, definition.Seed, definition.Budget, horizon);
            IReadOnlyDictionary<string, object> proposal = Tuner.Propose(context);
            IReadOnlyDictionary<string, object> valid;
            try
            {
                valid = SearchSpace.Validate(proposal);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"Tuner '{Tuner.Name}' proposed parameters that do not fit the search space: {e.Message}", e);
            }

            cancellationToken.ThrowIfCancellationRequested();
            TrialRecord proposed;
            using (HpoTelemetry.TimeStorage("set_parameters"))
            {
                proposed = await Storage.SetTrialParametersAsync(started.Id, valid, cancellationToken).ConfigureAwait(false);
            }

            history.Apply(proposed);
            return proposed;
        }
        finally
        {
            proposeGate.Release();
        }
    }

    /// <summary>
    /// Waits until no trial numbered below <paramref name="number"/> is still running without parameters in another worker (one
    /// that started before this trial and has not stored its proposal yet), or until the lease has passed (its worker may be gone).
    /// </summary>
    private async Task WaitForEarlierProposalsAsync(int number, CancellationToken cancellationToken)
    {
        long start = TimeProvider.GetTimestamp();
        TimeSpan delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            IReadOnlyList<TrialRecord> trials = await SyncHistoryAsync(cancellationToken).ConfigureAwait(false);
            bool pending = false;
            for (int i = Math.Min(number, trials.Count) - 1; i >= 0 && !pending; i--)
            {
                TrialRecord t = trials[i];
                pending = t.State == TrialState.Running && t.Parameters.Count == 0 && !proposing.ContainsKey(t.Id);
            }

            if (!pending || TimeProvider.GetElapsedTime(start) >= Record.Definition.Lease)
            {
                return;
            }

            await Task.Delay(delay, TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(32).Ticks));
        }
    }

    private static class AskOwner
    {
        public static readonly string Value = WorkerIdentity.NewOwner();
    }
}
