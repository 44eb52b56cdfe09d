namespace Hpo.Storage;

/// <summary>What a <see cref="TrialQuery"/> sorts by.</summary>
public enum TrialSortColumn
{
    /// <summary>The trial's number.</summary>
    Number,

    /// <summary>The state, in life-cycle order: waiting, running, complete, pruned, failed, stale.</summary>
    State,

    /// <summary>The (first) value; trials without a finite value go last either way.</summary>
    Value,

    /// <summary>The duration (finished minus started); trials not finished go last either way.</summary>
    Duration,

    /// <summary>When the trial started; trials not started go last either way.</summary>
    Started,

    /// <summary>When the trial finished; trials not finished go last either way.</summary>
    Finished,

    /// <summary>The owner (worker), ordinal; a trial without one sorts as the empty text.</summary>
    Owner,

    /// <summary>
    /// A parameter (<see cref="TrialQuery.SortParameter"/>): its value for a numeric parameter, the choice's index for a
    /// categorical one; trials without it (a conditional parameter) go last either way.
    /// </summary>
    Parameter,
}
