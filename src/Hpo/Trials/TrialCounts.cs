namespace Hpo.Trials;

/// <summary>Counts of a study's trials by state.</summary>
/// <param name="Waiting">Enqueued trials not yet claimed.</param>
/// <param name="Running">Trials running now.</param>
/// <param name="Complete">Trials finished with a value.</param>
/// <param name="Pruned">Trials stopped early.</param>
/// <param name="Failed">Trials that failed.</param>
/// <remarks>Stale trials are counted by <see cref="Stale"/>, an init-only property (<c>new TrialCounts(0, 1, 2, 0, 0) { Stale = 1 }</c>).</remarks>
public readonly record struct TrialCounts(int Waiting, int Running, int Complete, int Pruned, int Failed)
{
    /// <summary>Gets the number of stale trials (lost with their worker): final, but not counted by the budget.</summary>
    public int Stale { get; init; }

    /// <summary>Gets the number of finished trials that the study's budget counts: complete, pruned and failed (not stale).</summary>
    public int Finished => Complete + Pruned + Failed;

    /// <summary>Gets the number of trials in every state.</summary>
    public int Total => Waiting + Running + Finished + Stale;

    /// <summary>Returns the counts with one more trial in <paramref name="state"/>.</summary>
    /// <param name="state">The state to count.</param>
    /// <param name="delta">How many to add (negative to remove).</param>
    /// <returns>The new counts.</returns>
    public TrialCounts Add(TrialState state, int delta = 1) => state switch
    {
        TrialState.Waiting => this with { Waiting = Waiting + delta },
        TrialState.Running => this with { Running = Running + delta },
        TrialState.Complete => this with { Complete = Complete + delta },
        TrialState.Pruned => this with { Pruned = Pruned + delta },
        TrialState.Stale => this with { Stale = Stale + delta },
        _ => this with { Failed = Failed + delta },
    };

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Complete} complete, {Pruned} pruned, {Failed} failed, {Running} running, {Waiting} waiting" + (Stale > 0 ? $", {Stale} stale" : string.Empty);
}
