using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>One trial's bar on the timeline.</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="Lane">The index of its worker in <see cref="Timeline.Workers"/>.</param>
/// <param name="Start">When it started, in seconds after the study's first trial started.</param>
/// <param name="End">When it ended, in seconds after the same origin: when it finished; for a stale trial its last heartbeat
/// (when its worker was last known alive); for a running trial the snapshot's time.</param>
/// <param name="State">Its state.</param>
/// <param name="RetryOf">The number of the trial it retries, or <see langword="null"/>.</param>
/// <param name="Attempt">Which retry it is (0 for an original trial).</param>
public readonly record struct TimelineBar(int Number, int Lane, double Start, double End, TrialState State, int? RetryOf, int Attempt);
