using Hpo.Objectives;
using Hpo.Trials;

namespace Hpo.Execution;

/// <summary>Connects executors to studies.</summary>
public static class TrialExecutor
{
    /// <summary>
    /// Wraps an executor as an objective, so that <c>Study.OptimizeAsync</c> runs each trial through it while the study keeps
    /// concurrency, timeouts, cancellation and the failure policy.
    /// </summary>
    /// <remarks>
    /// A completed outcome becomes the trial's value and a pruned one a pruned trial. A failed outcome becomes a
    /// <see cref="TrialExecutionException"/> whose message is the executor's reason (the study records the trial as failed with
    /// it), except when the token was cancelled: then an <see cref="OperationCanceledException"/> lets the study record the
    /// cancellation or timeout itself. The executor is not disposed by the objective.
    /// </remarks>
    /// <param name="executor">The executor.</param>
    /// <returns>The objective.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="executor"/> is <see langword="null"/>.</exception>
    public static IObjective AsObjective(this ITrialExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return new ExecutorObjective(executor);
    }

    private sealed class ExecutorObjective(ITrialExecutor executor) : IObjective
    {
        public async ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken)
        {
            TrialOutcome outcome = await executor.ExecuteAsync(new TrialRequest(trial), cancellationToken).ConfigureAwait(false);
            switch (outcome.Kind)
            {
                case TrialOutcomeKind.Completed:
                    return ObjectiveResult.FromValue(outcome.Value!.Value);
                case TrialOutcomeKind.Pruned:
                    return ObjectiveResult.Pruned(outcome.Value);
                default:
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new TrialExecutionException(outcome.Reason!, outcome.Exception);
            }
        }
    }
}
