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
