using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>Why an optimization run stopped.</summary>
public enum OptimizeStopReason
{
    /// <summary>The study's budget of finished trials was reached.</summary>
    BudgetReached,

    /// <summary>This run started its <see cref="OptimizeOptions.TrialCount"/> trials.</summary>
    TrialCountReached,

    /// <summary>This run's <see cref="OptimizeOptions.Timeout"/> elapsed.</summary>
    TimedOut,

    /// <summary>This run's <see cref="OptimizeOptions.StopToken"/> was cancelled (a worker shutting down).</summary>
    Stopped,
}
