using Hpo.Internal;
using Hpo.Pruners;
using Hpo.Registries;
using Hpo.Storage;
using Hpo.Tuners;
using Microsoft.Extensions.Logging;

namespace Hpo.Studies;

/// <summary>Options of one <see cref="Study.OptimizeAsync(Objectives.IObjective, OptimizeOptions?, CancellationToken)"/> run.</summary>
public sealed class OptimizeOptions
{
    /// <summary>Gets or sets how many trials this run starts at most (the study's budget still applies across processes).</summary>
    /// <value>The default value is <see langword="null"/>: run until the study's budget is reached (required when the study has no budget, unless a timeout is set).</value>
    public int? TrialCount { get; set; }

    /// <summary>Gets or sets how long this run keeps starting trials; running trials are allowed to finish.</summary>
    /// <value>
    /// The default value is <see langword="null"/> (no limit). <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>, or a duration of
    /// 49.7 days or more (the longest a .NET timer can wait, up to <see cref="TimeSpan.MaxValue"/>), also means no limit.
    /// </value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// Gets or sets a token that, once cancelled, stops this run from starting trials, as <see cref="Timeout"/> does: running
    /// trials finish and are recorded (within <see cref="GracePeriod"/> when it is set), and the run returns normally with
    /// <see cref="OptimizeStopReason.Stopped"/>. This is the graceful stop; cancelling the method's own token is the hard one, which
    /// stops running trials too and records them as failed. Cancel it from a SIGTERM handler
    /// (<see cref="System.Runtime.InteropServices.PosixSignalRegistration"/>) or a host's stopping token to shut a worker down.
    /// </summary>
    /// <value>The default value is <see cref="CancellationToken.None"/>.</value>
    public CancellationToken StopToken { get; set; }

    /// <summary>
    /// Gets or sets how long the running trials may go on after <see cref="StopToken"/> is cancelled. Those still running then are
    /// handed back: recorded <see cref="Trials.TrialState.Stale"/> with a reason (so the study's retry policy runs them again,
    /// in this or another process, and the budget does not count them), told of it through <see cref="OnTrialHandedBack"/>, and
    /// cancelled. The run then returns (<see cref="OptimizeResult.HandedBack"/>), waiting at most <see cref="AbandonAfter"/> for
    /// the cancelled trials to stop. No trial of the run is left <see cref="Trials.TrialState.Running"/>. This is what
    /// <c>hpo worker</c> and <see cref="StudyWorker"/> do on SIGTERM.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: after a stop request the running trials are awaited, however long they take.
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> also means no limit; <see cref="TimeSpan.Zero"/> hands them back at once.
    /// </value>
    public TimeSpan? GracePeriod { get; set; }

    /// <summary>
    /// Gets or sets how long handed-back trials may take to stop once cancelled before the run returns without them (an in-process
    /// objective that ignores its token must not keep a stopping worker alive; <see cref="OptimizeResult.Abandoned"/> tells).
    /// Between 0 and 1 hour.
    /// </summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets a callback told each trial handed back after the <see cref="GracePeriod"/> (with its stale record).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<TrialHandedBackArguments, ValueTask>? OnTrialHandedBack { get; set; }

    /// <summary>Gets or sets how many trials run at once in this process.</summary>
    /// <value>The default value is 1.</value>
    public int Concurrency { get; set; } = 1;

    /// <summary>Gets or sets how long one trial may run; a trial that takes longer is recorded as failed and its token is cancelled.</summary>
    /// <value>
    /// The default value is <see langword="null"/> (no limit). <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>, or a duration of
    /// 49.7 days or more (the longest a .NET timer can wait, up to <see cref="TimeSpan.MaxValue"/>), also means no limit.
    /// </value>
    public TimeSpan? TrialTimeout { get; set; }

    /// <summary>Gets or sets what happens when an objective throws.</summary>
    /// <value>The default value is <see cref="FailurePolicy.Continue"/>.</value>
    public FailurePolicy FailurePolicy { get; set; } = FailurePolicy.Continue;

    /// <summary>Gets or sets a callback invoked after each trial this run finishes, one call at a time.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<TrialFinishedArguments, ValueTask>? OnTrialFinished { get; set; }

    internal void Validate(int? budget)
    {
        var problems = new List<string>();
        if (TrialCount is int n && n <= 0)
        {
            problems.Add($"TrialCount must be positive or null, but got {n}.");
        }

        if (Timeout is TimeSpan t && t <= TimeSpan.Zero && t != System.Threading.Timeout.InfiniteTimeSpan)
        {
            problems.Add($"Timeout must be positive, Timeout.InfiniteTimeSpan or null, but got {t}.");
        }

        if (Concurrency < 1)
        {
            problems.Add($"Concurrency must be at least 1, but got {Concurrency}.");
        }

        if (TrialTimeout is TimeSpan tt && tt <= TimeSpan.Zero && tt != System.Threading.Timeout.InfiniteTimeSpan)
        {
            problems.Add($"TrialTimeout must be positive, Timeout.InfiniteTimeSpan or null, but got {tt}.");
        }

        if (GracePeriod is TimeSpan g && g < TimeSpan.Zero && g != System.Threading.Timeout.InfiniteTimeSpan)
        {
            problems.Add($"GracePeriod must be zero or positive, Timeout.InfiniteTimeSpan or null, but got {g}.");
        }

        if (AbandonAfter < TimeSpan.Zero || AbandonAfter > TimeSpan.FromHours(1))
        {
            problems.Add($"AbandonAfter must be between 0 and 1 hour, but got {AbandonAfter}.");
        }

        if (!Enum.IsDefined(FailurePolicy))
        {
            problems.Add($"FailurePolicy must be Continue or Stop, but got {(int)FailurePolicy}.");
        }

        if (TrialCount is null && Timeout is null && budget is null && !StopToken.CanBeCanceled)
        {
            problems.Add("The run has no end: set TrialCount, Timeout or StopToken, or give the study a Budget.");
        }

        OptionsValidation.ThrowIfAny(nameof(OptimizeOptions), problems);
    }
}
