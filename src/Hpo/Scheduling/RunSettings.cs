using Hpo.Trials;

namespace Hpo.Scheduling;

/// <summary>
/// What one run of the scheduler is asked to do: the validated run options of <c>Study.OptimizeAsync</c>, in the scheduler's own
/// terms (callbacks take the trial; the study's public face builds its callback arguments around them).
/// </summary>
internal sealed record RunSettings
{
    /// <summary>Gets the most trials the run starts, if bounded.</summary>
    public int? TrialCount { get; init; }

    /// <summary>Gets how long the run keeps starting trials, if bounded.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the graceful stop request: no trial starts any more once it is cancelled.</summary>
    public CancellationToken StopToken { get; init; }

    /// <summary>Gets how long running trials may finish after a stop request before they are handed back; null to wait for them.</summary>
    public TimeSpan? GracePeriod { get; init; }

    /// <summary>Gets how long handed-back trials may take to stop once cancelled before the run returns without them.</summary>
    public TimeSpan AbandonAfter { get; init; }

    /// <summary>Gets how many trials run at once.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Gets how long one trial may run, if bounded.</summary>
    public TimeSpan? TrialTimeout { get; init; }

    /// <summary>Gets whether an objective's exception (not retried) stops the run and is rethrown.</summary>
    public bool StopOnFailure { get; init; }

    /// <summary>Gets the callback told each trial this run finished, one call at a time.</summary>
    public Func<TrialRecord, ValueTask>? OnTrialFinished { get; init; }

    /// <summary>Gets the callback told each trial handed back (its stale record).</summary>
    public Func<TrialRecord, ValueTask>? OnTrialHandedBack { get; init; }
}

/// <summary>Why a run of the scheduler ended.</summary>
internal enum RunEnd
{
    /// <summary>The study's budget of finished trials was reached.</summary>
    BudgetReached,

    /// <summary>The run started its trial count.</summary>
    TrialCountReached,

    /// <summary>The run's timeout elapsed.</summary>
    TimedOut,

    /// <summary>The stop request was made.</summary>
    Stopped,
}

/// <summary>What a run of the scheduler did.</summary>
/// <param name="TrialsRun">The trials it finished.</param>
/// <param name="End">Why it ended.</param>
/// <param name="Counts">The study's trials by state at the end.</param>
/// <param name="Best">The study's best complete trial, if any.</param>
/// <param name="LateResults">Results refused because the trial had been finished elsewhere first.</param>
/// <param name="HandedBack">Running trials handed back after the grace period.</param>
/// <param name="Abandoned">Whether handed-back trials ignored their cancellation for the abandon bound.</param>
internal sealed record RunOutcome(int TrialsRun, RunEnd End, TrialCounts Counts, TrialRecord? Best, int LateResults, int HandedBack, bool Abandoned);
