using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>The outcome of an optimization run.</summary>
/// <param name="TrialsRun">The trials this run finished.</param>
/// <param name="StopReason">Why the run stopped.</param>
/// <param name="Counts">The study's trials by state at the end of the run.</param>
/// <param name="BestTrial">The study's best complete trial, if any.</param>
public sealed record OptimizeResult(int TrialsRun, OptimizeStopReason StopReason, TrialCounts Counts, TrialRecord? BestTrial)
{
    /// <summary>
    /// Gets the results this run computed but the storage refused because the trial had been finished elsewhere first: its lease
    /// expired (the worker looked gone, so the trial was recorded stale and perhaps retried), or another worker recorded it. Each is
    /// also logged as a warning. Not counted in <see cref="TrialsRun"/>.
    /// </summary>
    /// <value>The default value is 0.</value>
    public int LateResults { get; init; }

    /// <summary>
    /// Gets how many running trials this run handed back after its <see cref="OptimizeOptions.GracePeriod"/> (recorded stale, so
    /// the study's retry policy runs them again). Not counted in <see cref="TrialsRun"/>.
    /// </summary>
    /// <value>The default value is 0.</value>
    public int HandedBack { get; init; }

    /// <summary>
    /// Gets a value indicating whether handed-back trials ignored their cancellation for <see cref="OptimizeOptions.AbandonAfter"/>
    /// and the run returned without them (they are recorded stale; their late results are not recorded).
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Abandoned { get; init; }
}
