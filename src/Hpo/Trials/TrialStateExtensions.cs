namespace Hpo.Trials;

/// <summary>Helpers for <see cref="TrialState"/>.</summary>
public static class TrialStateExtensions
{
    /// <summary>
    /// Determines whether a state is final (the trial never changes again): <see cref="TrialState.Complete"/>,
    /// <see cref="TrialState.Pruned"/>, <see cref="TrialState.Failed"/> or <see cref="TrialState.Stale"/>.
    /// </summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> for a finished trial.</returns>
    public static bool IsFinished(this TrialState state) => state is TrialState.Complete or TrialState.Pruned or TrialState.Failed or TrialState.Stale;

    /// <summary>
    /// Determines whether a state counts towards a study's budget: <see cref="TrialState.Complete"/>, <see cref="TrialState.Pruned"/>
    /// or <see cref="TrialState.Failed"/> (a <see cref="TrialState.Stale"/> trial does not; its retry does).
    /// </summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> for a state the budget counts.</returns>
    public static bool CountsTowardsBudget(this TrialState state) => state is TrialState.Complete or TrialState.Pruned or TrialState.Failed;
}
