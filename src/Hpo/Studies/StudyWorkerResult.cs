using Hpo.Objectives;
using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>What a worker's run did: see <see cref="StudyWorker.RunAsync"/>.</summary>
/// <param name="Result">The run's result; <see langword="null"/> when trials had to be handed back (the run was cancelled).</param>
/// <param name="HandedBack">How many running trials were handed back (recorded stale) after the grace period.</param>
/// <param name="Abandoned">Whether handed-back trials ignored their cancellation for <see cref="StudyWorkerOptions.AbandonAfter"/> and were left behind.</param>
public sealed record StudyWorkerResult(OptimizeResult? Result, int HandedBack, bool Abandoned);
