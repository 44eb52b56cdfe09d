using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>
/// The single source of truth of studies and their trials: what any worker, a resumed run or a dashboard needs to know.
/// </summary>
/// <remarks>
/// <para>The contract every implementation keeps (the conformance test suite checks it):</para>
/// <list type="bullet">
/// <item><description><b>Thread safety.</b> Every member may be called concurrently from any number of threads; storages shared by
/// several processes (SQLite, PostgreSQL) keep the same guarantees across processes.</description></item>
/// <item><description><b>Immutability.</b> Records returned are snapshots and never change. A finished trial (complete, pruned, failed,
/// stale) never changes again: writing to it throws <see cref="TrialAlreadyFinishedException"/>.</description></item>
/// <item><description><b>Numbering.</b> Trial numbers are dense (0, 1, 2, …) and unique within a study, however many processes
/// create trials at once.</description></item>
/// <item><description><b>Budget.</b> <see cref="StartTrialAsync"/> starts a trial only while the finished trials (complete, pruned,
/// failed; stale trials do not count) plus the live running ones are fewer than the study's <see cref="StudyDefinition.Budget"/>, atomically with respect to every other caller, so the
/// budget holds across processes without being split up front.</description></item>
/// <item><description><b>Ownership.</b> A running trial records its owner and a heartbeat that its owner renews with
/// <see cref="RenewHeartbeatsAsync"/>. A trial whose heartbeat is older than the study's <see cref="StudyDefinition.Lease"/> (by the
/// storage's clock — the database's, for shared databases — never the workers') is orphaned: it no longer counts as running, and the
/// next <see cref="StartTrialAsync"/> or <see cref="FailOrphanedTrialsAsync"/> records it as <see cref="TrialState.Stale"/> with the
/// reason. A live owner's trials are never touched this way.</description></item>
/// <item><description><b>Retries.</b> When the study's retry policy (<see cref="StudyDefinition.MaxRetries"/>,
/// <see cref="StudyDefinition.RetryOn"/>) retries lost workers, marking a trial stale enqueues, in the same transaction, a
/// <see cref="TrialState.Waiting"/> copy of it (parameters, intermediate values, user and system attributes) whose system attributes
/// name the trial it retries (<see cref="TrialRetry"/>); <see cref="TrialFinish.RetryAsNewTrial"/> does the same for a failure.
/// A trial without parameters is not retried.</description></item>
/// <item><description><b>Versions.</b> Every change to a study's trials advances the study's version, so that
/// <see cref="GetTrialsAsync(long, long, CancellationToken)"/> can return only what changed since a caller last looked.</description></item>
/// <item><description><b>Errors.</b> Provider failures surface as <see cref="StorageException"/> with the provider's error inside.</description></item>
/// </list>
/// </remarks>
public interface IStudyStorage : IAsyncDisposable
{
    /// <summary>Creates a study.</summary>
    /// <param name="definition">The study's definition.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The stored study.</returns>
    /// <exception cref="DuplicateStudyException">A study with the same name exists.</exception>
    ValueTask<StudyRecord> CreateStudyAsync(StudyDefinition definition, CancellationToken cancellationToken);

    /// <summary>Gets a study by name.</summary>
    /// <param name="name">The study's name.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The study, or <see langword="null"/> when there is none with that name.</returns>
    ValueTask<StudyRecord?> GetStudyAsync(string name, CancellationToken cancellationToken);

    /// <summary>Gets a study by identifier.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The study, or <see langword="null"/> when there is none with that identifier.</returns>
    ValueTask<StudyRecord?> GetStudyAsync(long studyId, CancellationToken cancellationToken);

    /// <summary>Gets every study, ordered by creation.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The studies.</returns>
    ValueTask<IReadOnlyList<StudyRecord>> GetStudiesAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a study and its trials.</summary>
    /// <param name="name">The study's name.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the study existed.</returns>
    ValueTask<bool> DeleteStudyAsync(string name, CancellationToken cancellationToken);

    /// <summary>Adds a <see cref="TrialState.Waiting"/> trial with the given parameters, to be run before any new proposal.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="parameters">Validated, typed parameter values.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The waiting trial.</returns>
    ValueTask<TrialRecord> EnqueueTrialAsync(long studyId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically starts a trial for <paramref name="owner"/>: marks orphaned trials stale, checks the budget, then claims the oldest
    /// waiting trial or creates a new running trial with no parameters yet (see <see cref="SetTrialParametersAsync"/>).
    /// </summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="owner">The worker that will run the trial.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The running trial, or <see langword="null"/> when the finished and live running trials already fill the budget.</returns>
    ValueTask<TrialRecord?> StartTrialAsync(long studyId, string owner, CancellationToken cancellationToken);

    /// <summary>Sets the parameters of a new running trial that has none yet.</summary>
    /// <param name="trialId">The trial's identifier.</param>
    /// <param name="parameters">Validated, typed parameter values.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The updated trial.</returns>
    /// <exception cref="TrialAlreadyFinishedException">The trial is finished.</exception>
    /// <exception cref="InvalidOperationException">The trial already has parameters.</exception>
    ValueTask<TrialRecord> SetTrialParametersAsync(long trialId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken);

    /// <summary>Records an intermediate value of a running trial; a later report for the same step replaces the earlier one.</summary>
    /// <param name="trialId">The trial's identifier.</param>
    /// <param name="step">The step (epoch, iteration, resource) the value belongs to.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    /// <exception cref="TrialAlreadyFinishedException">The trial is finished.</exception>
    ValueTask ReportIntermediateValueAsync(long trialId, long step, double value, CancellationToken cancellationToken);

    /// <summary>Sets a user attribute of an unfinished trial.</summary>
    /// <param name="trialId">The trial's identifier.</param>
    /// <param name="key">The attribute's key.</param>
    /// <param name="value">The attribute's value.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the attribute is stored.</returns>
    /// <exception cref="TrialAlreadyFinishedException">The trial is finished.</exception>
    ValueTask SetTrialUserAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken);

    /// <summary>Sets a system attribute (for tuners and schedulers) of an unfinished trial.</summary>
    /// <param name="trialId">The trial's identifier.</param>
    /// <param name="key">The attribute's key.</param>
    /// <param name="value">The attribute's value.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the attribute is stored.</returns>
    /// <exception cref="TrialAlreadyFinishedException">The trial is finished.</exception>
    ValueTask SetTrialSystemAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes a running (or waiting) trial. The result is committed before this returns. With
    /// <see cref="TrialFinish.RetryAsNewTrial"/>, a failed trial's retry is enqueued in the same transaction.
    /// </summary>
    /// <param name="trialId">The trial's identifier.</param>
    /// <param name="finish">The final state and values.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The finished trial.</returns>
    /// <exception cref="TrialAlreadyFinishedException">The trial is already finished (for example it became stale when its lease expired).</exception>
    ValueTask<TrialRecord> FinishTrialAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken);

    /// <summary>Renews the heartbeat of every running trial of <paramref name="owner"/> in a study.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="owner">The worker.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The number of trials renewed.</returns>
    ValueTask<int> RenewHeartbeatsAsync(long studyId, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Records as <see cref="TrialState.Stale"/> every running trial whose heartbeat is older than the study's lease, enqueuing their
    /// retries when the study's retry policy says so.
    /// </summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The trials that became stale.</returns>
    ValueTask<IReadOnlyList<TrialRecord>> FailOrphanedTrialsAsync(long studyId, CancellationToken cancellationToken);

    /// <summary>
    /// Records a running trial as <see cref="TrialState.Stale"/> if it is still running under <paramref name="owner"/>: used when the
    /// owner is known to be gone (for example its process no longer exists on this host), without waiting for its lease to expire.
    /// The study's retry policy applies as for an expired lease.
    /// </summary>
    /// <param name="trialId">The trial's identifier.</param>
    /// <param name="owner">The owner the trial must still have.</param>
    /// <param name="reason">Why the trial was lost.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The stale trial, or <see langword="null"/> if it was no longer running under that owner.</returns>
    ValueTask<TrialRecord?> FailAbandonedTrialAsync(long trialId, string owner, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes a trial (<see cref="FinishTrialAsync"/>) and then starts the next trial for <paramref name="owner"/>
    /// (<see cref="StartTrialAsync"/>): what a worker does between two trials. A storage may do both in one transaction and one
    /// round trip; the default calls the two methods in turn. Either way the finish is committed before the next trial starts, and
    /// when the finish throws (for example <see cref="TrialAlreadyFinishedException"/>) nothing is started.
    /// </summary>
    /// <param name="trialId">The trial to finish.</param>
    /// <param name="finish">How it finished.</param>
    /// <param name="studyId">The study of the trial to start (the finished trial's study).</param>
    /// <param name="owner">The owner of the trial to start.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The finished trial, and the started one or <see langword="null"/> when the budget is filled (as <see cref="StartTrialAsync"/>).</returns>
    async ValueTask<FinishAndStartResult> FinishAndStartTrialAsync(long trialId, TrialFinish finish, long studyId, string owner, CancellationToken cancellationToken)
    {
        TrialRecord finished = await FinishTrialAsync(trialId, finish, cancellationToken).ConfigureAwait(false);
        return new FinishAndStartResult(finished, await StartTrialAsync(studyId, owner, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Gets a trial by number.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="number">The trial's number.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The trial, or <see langword="null"/>.</returns>
    ValueTask<TrialRecord?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken);

    /// <summary>Gets the trials that changed after <paramref name="sinceVersion"/> (0 for all), ordered by number.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="sinceVersion">The version returned by an earlier call, or 0.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The changed trials and the current version.</returns>
    ValueTask<TrialChanges> GetTrialsAsync(long studyId, long sinceVersion, CancellationToken cancellationToken);

    /// <summary>Gets every trial of a study, ordered by number.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The trials.</returns>
    ValueTask<IReadOnlyList<TrialRecord>> GetTrialsAsync(long studyId, CancellationToken cancellationToken);

    /// <summary>Counts a study's trials by their stored state.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The counts.</returns>
    ValueTask<TrialCounts> GetTrialCountsAsync(long studyId, CancellationToken cancellationToken);

    /// <summary>Gets the best complete trial in the study's (first) direction; ties go to the lower number.</summary>
    /// <param name="studyId">The study's identifier.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The best trial, or <see langword="null"/> when no trial is complete.</returns>
    ValueTask<TrialRecord?> GetBestTrialAsync(long studyId, CancellationToken cancellationToken);
}
