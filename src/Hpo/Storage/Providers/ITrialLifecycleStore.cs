using Hpo.Trials;

namespace Hpo.Storage.Providers;

/// <summary>
/// The storage primitives that <see cref="TrialLifecycle"/> runs over: a view of one study while the caller holds it for writing (a
/// lock, a write transaction, a locked row), so that the decisions and writes of one operation are atomic with respect to every
/// other caller. A provider implements these five members; the rules (claim order, budget, lease expiry, stale marking, retries)
/// are <see cref="TrialLifecycle"/>'s.
/// </summary>
/// <remarks>
/// Implementations must make <see cref="Counts"/> reflect the trials written through <see cref="InsertTrial"/> and
/// <see cref="UpdateTrial"/> in the same operation, and advance the study's version on every write (see
/// <see cref="IStudyStorage.GetTrialsAsync(long, long, CancellationToken)"/>).
/// </remarks>
public interface ITrialLifecycleStore
{
    /// <summary>Gets the study's trials counted by state, as they stand now (writes of this operation included).</summary>
    TrialCounts Counts { get; }

    /// <summary>Gets the running trials whose heartbeat is older than <paramref name="cutoff"/> (strictly), in number order.</summary>
    /// <param name="cutoff">The oldest heartbeat that is still live (<see cref="TrialLifecycle.LeaseCutoff"/>).</param>
    /// <returns>The trials, or an empty list (the common case: implementations should answer it without allocating).</returns>
    IReadOnlyList<TrialRecord> GetExpiredTrials(DateTimeOffset cutoff);

    /// <summary>Gets the waiting trial with the lowest number, or <see langword="null"/> when none waits.</summary>
    /// <returns>The trial, or <see langword="null"/>.</returns>
    TrialRecord? GetOldestWaitingTrial();

    /// <summary>
    /// Inserts a new trial made by <see cref="TrialLifecycle"/> (its <see cref="TrialRecord.Id"/> and <see cref="TrialRecord.Number"/>
    /// are placeholders): the storage gives it the study's next number (dense, from 0) and a unique id, counts it, and stores its
    /// parameters, intermediate values and attributes.
    /// </summary>
    /// <param name="trial">The new trial.</param>
    /// <returns>The stored trial, with its id and number.</returns>
    TrialRecord InsertTrial(TrialRecord trial);

    /// <summary>
    /// Replaces a stored trial by its changed form (same id): moves it between the state counters when its state changed and writes
    /// every field that differs.
    /// </summary>
    /// <param name="previous">The trial as stored.</param>
    /// <param name="updated">Its new form.</param>
    /// <returns>The stored trial (<paramref name="updated"/>, or the storage's reading of it).</returns>
    TrialRecord UpdateTrial(TrialRecord previous, TrialRecord updated);
}
