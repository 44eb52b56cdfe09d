namespace Hpo.Trials;

/// <summary>The life cycle of a trial: <see cref="Waiting"/> → <see cref="Running"/> → <see cref="Complete"/> | <see cref="Pruned"/> | <see cref="Failed"/>.</summary>
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

    /// <summary>Finished without a usable value: the objective threw, returned NaN or infinity, timed out, was cancelled, or its worker stopped heartbeating.</summary>
    Failed = 4,
}

/// <summary>Helpers for <see cref="TrialState"/>.</summary>
public static class TrialStateExtensions
{
    /// <summary>Determines whether a state is final: <see cref="TrialState.Complete"/>, <see cref="TrialState.Pruned"/> or <see cref="TrialState.Failed"/>.</summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> for a finished trial.</returns>
    public static bool IsFinished(this TrialState state) => state is TrialState.Complete or TrialState.Pruned or TrialState.Failed;
}
