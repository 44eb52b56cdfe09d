namespace Hpo.Trials;

/// <summary>
/// The life cycle of a trial: <see cref="Waiting"/> → <see cref="Running"/> → <see cref="Complete"/> | <see cref="Pruned"/> |
/// <see cref="Failed"/> | <see cref="Stale"/>.
/// </summary>
public enum TrialState
{
    /// <summary>Enqueued (for example a warm-start point) and not yet claimed by a worker.</summary>
    Waiting = 0,

    /// <summary>Claimed by one worker, which renews its heartbeat while the trial runs.</summary>
    Running = 1,

    /// <summary>Finished with a value.</summary>
    Complete = 2,

    /// <summary>Stopped early because it was not promising; may carry its last intermediate value.</summary>
    Pruned = 3,

    /// <summary>Finished without a usable value: the objective threw, returned NaN or infinity, timed out or was cancelled.</summary>
    Failed = 4,

    /// <summary>
    /// Lost: its worker stopped renewing the lease (it died, or lost the database) or its process is known to be gone. A stale
    /// trial never changes again and, unlike a failed one, does not count towards the study's budget; the study's retry policy may
    /// run it again as a new trial.
    /// </summary>
    Stale = 5,
}

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
