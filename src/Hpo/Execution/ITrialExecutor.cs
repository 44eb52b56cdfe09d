namespace Hpo.Execution;

/// <summary>
/// Runs one trial somewhere (in this process, in a child process, in a container) and reports what happened.
/// </summary>
/// <remarks>
/// <para>
/// An executor only runs a trial: concurrency, per-trial timeouts, retries and heartbeats stay with the study's scheduler
/// (use <see cref="TrialExecutor.AsObjective(ITrialExecutor)"/> to let <c>Study.OptimizeAsync</c> run an executor).
/// <see cref="ExecuteAsync"/> may be called concurrently for different trials.
/// </para>
/// <para>
/// Failures are reported as <see cref="TrialOutcome.Failed(string, Exception?)"/> outcomes, not thrown. When the token is
/// cancelled (the study was cancelled or the trial timed out) the executor stops the trial, waits until it is gone, and
/// returns a failed outcome that says so. Disposing the executor stops every trial it still runs.
/// </para>
/// </remarks>
public interface ITrialExecutor : IAsyncDisposable
{
    /// <summary>Runs one trial to its end.</summary>
    /// <param name="request">The trial to run.</param>
    /// <param name="cancellationToken">Cancelled when the study is cancelled or the trial times out: the trial is then stopped.</param>
    /// <returns>What happened: completed with a value, pruned, or failed with the reason.</returns>
    ValueTask<TrialOutcome> ExecuteAsync(TrialRequest request, CancellationToken cancellationToken);
}
