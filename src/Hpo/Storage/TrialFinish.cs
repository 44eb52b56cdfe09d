namespace Hpo.Storage;

/// <summary>How a trial finished, as given to <see cref="IStudyStorage.FinishTrialAsync"/>.</summary>
/// <param name="State">The final state: <see cref="Trials.TrialState.Complete"/>, <see cref="Trials.TrialState.Pruned"/> or <see cref="Trials.TrialState.Failed"/>.</param>
/// <param name="Values">The objective values (complete), the last intermediate value (pruned, optional), or empty.</param>
/// <param name="FailReason">Why a failed trial failed.</param>
/// <param name="ExceptionType">The type of the exception that failed it, if any.</param>
public sealed record TrialFinish(Trials.TrialState State, IReadOnlyList<double> Values, string? FailReason = null, string? ExceptionType = null)
{
    /// <summary>
    /// Gets a value indicating whether a failed trial is run again: in the same transaction as the failure, the storage enqueues a
    /// <see cref="Trials.TrialState.Waiting"/> copy of the trial (parameters, intermediate values, attributes) that records which
    /// trial it retries (see <see cref="Trials.TrialRetry"/>). Only for <see cref="Trials.TrialState.Failed"/>.
    /// </summary>
    public bool RetryAsNewTrial { get; init; }
}
