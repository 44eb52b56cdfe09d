using System.Collections.Immutable;
using System.Globalization;
using Hpo.Internal;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Storage.Providers;

/// <summary>
/// The rules of a trial's life, written once: which trial a worker gets (claim the oldest waiting one, else a new one), when the
/// budget refuses a start, when a lease has expired, what a stale trial records, and when and how a lost or failed trial is retried.
/// </summary>
/// <remarks>
/// <para>
/// Two layers. The <em>decisions</em> (<see cref="IsBudgetFilled"/>, <see cref="LeaseCutoff"/>, <see cref="IsExpired"/>,
/// <see cref="RetriesLostWorker"/>, <see cref="NewTrial"/>, <see cref="Claim"/>, <see cref="Stale"/>, <see cref="Finished"/>,
/// <see cref="RetryOf"/>) are pure functions of (study counters, trial, now, policy). The <em>operations</em>
/// (<see cref="Start"/>, <see cref="FailExpired"/>, <see cref="MarkStale"/>, <see cref="FailAbandoned"/>, <see cref="Finish"/>,
/// <see cref="Enqueue"/>) apply them through the five primitives of <see cref="ITrialLifecycleStore"/>, inside the caller's write
/// lock or transaction: what <see cref="IStudyStorage.StartTrialAsync"/>, <see cref="IStudyStorage.FailOrphanedTrialsAsync"/>,
/// <see cref="IStudyStorage.FailAbandonedTrialAsync"/>, <see cref="IStudyStorage.FinishTrialAsync"/> and
/// <see cref="IStudyStorage.EnqueueTrialAsync"/> do once the study is held.
/// </para>
/// <para>
/// The in-memory and SQLite storages are these operations over their primitives. A provider may decide a rule elsewhere for speed
/// (PostgreSQL starts and finishes trials in server-side functions, one round trip each); it must then decide exactly as these
/// functions do, which the differential test of the provider kit (<c>Hpo.Storage.Testing</c>) checks on random operation sequences.
/// </para>
/// </remarks>
public static class TrialLifecycle
{
    /// <summary>Determines whether the study's budget refuses another start: finished (complete, pruned, failed) plus running trials reach it.</summary>
    /// <param name="counts">The study's counters, after expired leases were marked stale.</param>
    /// <param name="policy">The study's policy.</param>
    /// <returns><see langword="true"/> when no trial may start.</returns>
    public static bool IsBudgetFilled(TrialCounts counts, TrialPolicy policy) =>
        policy.Budget is int budget && counts.Finished + counts.Running >= budget;

    /// <summary>Gets the oldest heartbeat that is still live at <paramref name="now"/>: a running trial whose heartbeat is older has lost its lease.</summary>
    /// <param name="now">The storage's clock.</param>
    /// <param name="lease">The study's lease.</param>
    /// <returns>The cutoff.</returns>
    public static DateTimeOffset LeaseCutoff(DateTimeOffset now, TimeSpan lease) => now - lease;

    /// <summary>Determines whether a trial is running on an expired lease (its heartbeat is older than the lease, by the storage's clock).</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="now">The storage's clock.</param>
    /// <param name="lease">The study's lease.</param>
    /// <returns><see langword="true"/> when the trial is orphaned.</returns>
    public static bool IsExpired(TrialRecord trial, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return trial.State == TrialState.Running && trial.Heartbeat is { } heartbeat && heartbeat < LeaseCutoff(now, lease);
    }

    /// <summary>Determines whether a trial is running under <paramref name="owner"/>, so that its owner may renew or hand it back.</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="owner">The owner.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public static bool IsRunningUnder(TrialRecord trial, string owner)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return trial.State == TrialState.Running && string.Equals(trial.Owner, owner, StringComparison.Ordinal);
    }

    /// <summary>Determines whether the study's retry policy re-runs a trial whose worker was lost (a trial without parameters is not retried).</summary>
    /// <param name="policy">The study's policy.</param>
    /// <param name="trial">The lost trial.</param>
    /// <returns><see langword="true"/> when a retry is enqueued.</returns>
    public static bool RetriesLostWorker(TrialPolicy policy, TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return policy.RetryOn.HasFlag(RetryOn.LostWorker) && trial.Parameters.Count > 0 && TrialRetry.Attempt(trial) < policy.MaxRetries;
    }

    /// <summary>Gets the reason a trial whose lease expired records.</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="lease">The study's lease.</param>
    /// <returns>The reason.</returns>
    public static string StaleReason(TrialRecord trial, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return Format.Invariant($"Stale: its worker {trial.Owner ?? "(unknown)"} stopped renewing the heartbeat (last at {trial.Heartbeat:O}); the lease is {lease.TotalSeconds:0.###} s.");
    }

    /// <summary>Makes a new trial, to be numbered by <see cref="ITrialLifecycleStore.InsertTrial"/>.</summary>
    /// <param name="state"><see cref="TrialState.Waiting"/> (enqueued) or <see cref="TrialState.Running"/> (started for <paramref name="owner"/>).</param>
    /// <param name="parameters">The parameters (empty for a start: its worker sets them).</param>
    /// <param name="owner">The worker of a running trial, or <see langword="null"/>.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The trial, with id 0 and number -1.</returns>
    /// <exception cref="ArgumentException">The state is neither waiting nor running, or a running trial has no owner.</exception>
    public static TrialRecord NewTrial(TrialState state, IReadOnlyDictionary<string, object> parameters, string? owner, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        bool running = state switch
        {
            TrialState.Waiting => false,
            TrialState.Running when !string.IsNullOrEmpty(owner) => true,
            TrialState.Running => throw new ArgumentException("A new running trial needs an owner, but got none.", nameof(owner)),
            _ => throw new ArgumentException($"A new trial is Waiting or Running, but got {state}.", nameof(state)),
        };
        return new TrialRecord
        {
            Id = 0,
            Number = -1,
            State = state,
            Parameters = parameters,
            CreatedAt = now,
            StartedAt = running ? now : null,
            Owner = running ? owner : null,
            Heartbeat = running ? now : null,
        };
    }

    /// <summary>Claims a waiting trial for <paramref name="owner"/>: it runs from now, with a fresh heartbeat.</summary>
    /// <param name="waiting">The waiting trial.</param>
    /// <param name="owner">The worker.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The running trial.</returns>
    /// <exception cref="InvalidOperationException">The trial is not waiting.</exception>
    public static TrialRecord Claim(TrialRecord waiting, string owner, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return waiting.State == TrialState.Waiting
            ? waiting with { State = TrialState.Running, Owner = owner, Heartbeat = now, StartedAt = now }
            : throw new InvalidOperationException($"Only a waiting trial can be claimed, but trial {waiting.Number} is {waiting.State}.");
    }

    /// <summary>Records a running trial as stale: final, not counted by the budget.</summary>
    /// <param name="running">The running trial.</param>
    /// <param name="reason">Why it was lost.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The stale trial.</returns>
    /// <exception cref="InvalidOperationException">The trial is not running.</exception>
    public static TrialRecord Stale(TrialRecord running, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return running.State == TrialState.Running
            ? running with { State = TrialState.Stale, FailReason = reason, FinishedAt = now }
            : throw new InvalidOperationException($"Only a running trial can become stale, but trial {running.Number} is {running.State}.");
    }

    /// <summary>Finishes an unfinished trial as <paramref name="finish"/> says.</summary>
    /// <param name="trial">The waiting or running trial.</param>
    /// <param name="finish">The final state and values (checked with <see cref="StorageGuards.Finish"/> by the caller).</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The finished trial.</returns>
    /// <exception cref="TrialAlreadyFinishedException">The trial is finished.</exception>
    public static TrialRecord Finished(TrialRecord trial, TrialFinish finish, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(finish);
        if (trial.IsFinished)
        {
            throw StorageGuards.AlreadyFinished(trial, "finish again");
        }

        return trial with
        {
            State = finish.State,
            Values = [.. finish.Values],
            FailReason = finish.FailReason,
            ExceptionType = finish.ExceptionType,
            FinishedAt = now,
            StartedAt = trial.StartedAt ?? now,
        };
    }

    /// <summary>
    /// Makes the retry of a trial: a waiting copy (parameters, intermediate values, user attributes) whose system attributes name the
    /// trial it retries and count the attempt (<see cref="TrialRetry"/>), to be numbered by <see cref="ITrialLifecycleStore.InsertTrial"/>.
    /// </summary>
    /// <param name="origin">The trial to retry.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The waiting retry, with id 0 and number -1.</returns>
    public static TrialRecord RetryOf(TrialRecord origin, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return NewTrial(TrialState.Waiting, origin.Parameters, owner: null, now) with
        {
            IntermediateValues = origin.IntermediateValues,
            UserAttributes = origin.UserAttributes,
            SystemAttributes = RetrySystemAttributes(origin),
        };
    }

    /// <summary>Gets the system attributes of a retry of <paramref name="trial"/>: the trial's own, plus its origin and attempt.</summary>
    /// <param name="trial">The trial retried.</param>
    /// <returns>The attributes.</returns>
    public static ImmutableDictionary<string, string> RetrySystemAttributes(TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return trial.SystemAttributes
            .SetItem(TrialRetry.RetryOfAttribute, trial.Number.ToString(CultureInfo.InvariantCulture))
            .SetItem(TrialRetry.AttemptAttribute, (TrialRetry.Attempt(trial) + 1).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Starts a trial for <paramref name="owner"/> (<see cref="IStudyStorage.StartTrialAsync"/>): marks expired leases stale (enqueuing
    /// their retries), then refuses when the budget is filled, else claims the oldest waiting trial, else inserts a new running one.
    /// </summary>
    /// <param name="store">The study, held for writing.</param>
    /// <param name="policy">The study's policy.</param>
    /// <param name="owner">The worker.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The running trial, or <see langword="null"/> when the budget is filled.</returns>
    public static TrialRecord? Start(ITrialLifecycleStore store, TrialPolicy policy, string owner, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        FailExpired(store, policy, now);
        if (IsBudgetFilled(store.Counts, policy))
        {
            return null;
        }

        return store.GetOldestWaitingTrial() is { } waiting
            ? store.UpdateTrial(waiting, Claim(waiting, owner, now))
            : store.InsertTrial(NewTrial(TrialState.Running, ImmutableDictionary<string, object>.Empty, owner, now));
    }

    /// <summary>Marks every running trial whose lease expired as stale (<see cref="IStudyStorage.FailOrphanedTrialsAsync"/>).</summary>
    /// <param name="store">The study, held for writing.</param>
    /// <param name="policy">The study's policy.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The trials that became stale.</returns>
    public static IReadOnlyList<TrialRecord> FailExpired(ITrialLifecycleStore store, TrialPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        IReadOnlyList<TrialRecord> expired = store.GetExpiredTrials(LeaseCutoff(now, policy.Lease));
        if (expired.Count == 0)
        {
            return [];
        }

        var stale = new TrialRecord[expired.Count];
        for (int i = 0; i < stale.Length; i++)
        {
            stale[i] = MarkStale(store, policy, expired[i], StaleReason(expired[i], policy.Lease), now);
        }

        return stale;
    }

    /// <summary>Records a running trial as stale and, when the policy retries lost workers, enqueues its retry.</summary>
    /// <param name="store">The study, held for writing.</param>
    /// <param name="policy">The study's policy.</param>
    /// <param name="running">The running trial.</param>
    /// <param name="reason">Why it was lost.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The stale trial.</returns>
    public static TrialRecord MarkStale(ITrialLifecycleStore store, TrialPolicy policy, TrialRecord running, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        TrialRecord stale = store.UpdateTrial(running, Stale(running, reason, now));
        if (RetriesLostWorker(policy, running))
        {
            store.InsertTrial(RetryOf(running, now));
        }

        return stale;
    }

    /// <summary>Marks a trial stale if it still runs under <paramref name="owner"/> (<see cref="IStudyStorage.FailAbandonedTrialAsync"/>).</summary>
    /// <param name="store">The study, held for writing.</param>
    /// <param name="policy">The study's policy.</param>
    /// <param name="trial">The trial as stored.</param>
    /// <param name="owner">The owner it must still have.</param>
    /// <param name="reason">Why it was lost.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The stale trial, or <see langword="null"/> when it no longer ran under that owner.</returns>
    public static TrialRecord? FailAbandoned(ITrialLifecycleStore store, TrialPolicy policy, TrialRecord trial, string owner, string reason, DateTimeOffset now) =>
        IsRunningUnder(trial, owner) ? MarkStale(store, policy, trial, reason, now) : null;

    /// <summary>
    /// Finishes a trial (<see cref="IStudyStorage.FinishTrialAsync"/>) and, with <see cref="TrialFinish.RetryAsNewTrial"/>, enqueues its
    /// retry in the same operation.
    /// </summary>
    /// <param name="store">The study, held for writing.</param>
    /// <param name="trial">The trial as stored.</param>
    /// <param name="finish">How it finished, checked with <see cref="StorageGuards.Finish"/>.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The finished trial.</returns>
    /// <exception cref="TrialAlreadyFinishedException">The trial is finished.</exception>
    public static TrialRecord Finish(ITrialLifecycleStore store, TrialRecord trial, TrialFinish finish, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(finish);
        TrialRecord done = store.UpdateTrial(trial, Finished(trial, finish, now));
        if (finish.RetryAsNewTrial)
        {
            store.InsertTrial(RetryOf(trial, now));
        }

        return done;
    }

    /// <summary>Enqueues a waiting trial with the given parameters (<see cref="IStudyStorage.EnqueueTrialAsync"/>).</summary>
    /// <param name="store">The study, held for writing.</param>
    /// <param name="parameters">Validated, typed parameter values.</param>
    /// <param name="now">The storage's clock.</param>
    /// <returns>The waiting trial.</returns>
    public static TrialRecord Enqueue(ITrialLifecycleStore store, IReadOnlyDictionary<string, object> parameters, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.InsertTrial(NewTrial(TrialState.Waiting, parameters, owner: null, now));
    }
}
