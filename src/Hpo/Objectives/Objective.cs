using Hpo.Trials;

namespace Hpo.Objectives;

/// <summary>Creates objectives from delegates.</summary>
public static class Objective
{
    /// <summary>Creates an objective from an asynchronous delegate.</summary>
    /// <param name="evaluate">The delegate.</param>
    /// <returns>The objective.</returns>
    public static IObjective Create(Func<ITrial, CancellationToken, ValueTask<ObjectiveResult>> evaluate)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        return new DelegateObjective(evaluate);
    }

    /// <summary>Creates an objective from an asynchronous delegate that returns a value.</summary>
    /// <param name="evaluate">The delegate.</param>
    /// <returns>The objective.</returns>
    public static IObjective Create(Func<ITrial, CancellationToken, Task<double>> evaluate)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        return new DelegateObjective(async (t, ct) => await evaluate(t, ct).ConfigureAwait(false));
    }

    /// <summary>Creates an objective from a synchronous delegate.</summary>
    /// <param name="evaluate">The delegate.</param>
    /// <returns>The objective.</returns>
    public static IObjective Create(Func<ITrial, double> evaluate)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        return new DelegateObjective((t, _) => new ValueTask<ObjectiveResult>(evaluate(t)));
    }

    private sealed class DelegateObjective(Func<ITrial, CancellationToken, ValueTask<ObjectiveResult>> evaluate) : IObjective
    {
        public ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken) => evaluate(trial, cancellationToken);
    }
}
