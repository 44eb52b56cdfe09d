using Hpo.Internal;

namespace Hpo.Execution;

/// <summary>How a trial run by an <see cref="ITrialExecutor"/> ended.</summary>
public enum TrialOutcomeKind
{
    /// <summary>The trial finished with a final value.</summary>
    Completed,

    /// <summary>The trial was stopped early by a prune decision.</summary>
    Pruned,

    /// <summary>The trial failed: see <see cref="TrialOutcome.Reason"/>.</summary>
    Failed,
}
