using Hpo.Objectives;

namespace Hpo.Execution.InProcess;

/// <summary>
/// Runs each trial in this process by calling an <see cref="IObjective"/>: the executor counterpart of passing the objective to
/// <c>Study.OptimizeAsync</c>, for code that works with any <see cref="ITrialExecutor"/>.
/// </summary>
/// <remarks>
/// The objective's value becomes a completed outcome (NaN and infinities included: the study records those as failed), a pruned
/// result or a <see cref="TrialPrunedException"/> a pruned one, and any other exception a failed one with the exception. When the
/// token is cancelled and the objective stops with an <see cref="OperationCanceledException"/>, the outcome is failed ("Cancelled").
/// A crash of the objective (a stack overflow, a native fault) takes the process down: use a child-process executor to isolate it.
/// </remarks>
public sealed class InProcessExecutor : ITrialExecutor
{
    private readonly IObjective objective;

    /// <summary>Initializes a new instance of the <see cref="InProcessExecutor"/> class.</summary>
    /// <param name="objective">The objective to call for each trial.</param>
    /// <exception cref="ArgumentNullException"><paramref name="objective"/> is <see langword="null"/>.</exception>
    public InProcessExecutor(IObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        this.objective = objective;
    }

    /// <inheritdoc/>
    public async ValueTask<TrialOutcome> ExecuteAsync(TrialRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            ObjectiveResult result = await objective.EvaluateAsync(request.Trial, cancellationToken).ConfigureAwait(false);
            return result.IsPruned ? TrialOutcome.Pruned(result.Value) : TrialOutcome.Completed(result.Value!.Value);
        }
        catch (TrialPrunedException)
        {
            return TrialOutcome.Pruned();
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            return TrialOutcome.Failed("Cancelled: the trial was cancelled (the study was cancelled or the trial timed out).", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return TrialOutcome.Failed($"{e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Does nothing: the executor holds no resources.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
