using Hpo.Trials;

namespace Hpo.Objectives;

/// <summary>
/// The function a study optimizes: trains a model with the trial's parameters and returns a metric. It may report
/// intermediate values and return <see cref="ObjectiveResult.Pruned(double?)"/> when <see cref="ITrial.ShouldPruneAsync"/> says so.
/// </summary>
/// <remarks>
/// An exception, a NaN or infinite value, or a timeout is recorded as a failed trial with the reason; the study goes on
/// unless its failure policy says otherwise. The token is cancelled when the caller cancels the study or the trial times out.
/// Use <see cref="Objective.Create(Func{ITrial, CancellationToken, ValueTask{ObjectiveResult}})"/> to make one from a lambda.
/// </remarks>
public interface IObjective
{
    /// <summary>Evaluates the objective for one trial.</summary>
    /// <param name="trial">The trial, with its parameters.</param>
    /// <param name="cancellationToken">Cancelled when the study is cancelled or the trial times out.</param>
    /// <returns>The value, or a pruned result.</returns>
    ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken);
}
