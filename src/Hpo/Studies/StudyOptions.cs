using Hpo.Internal;
using Hpo.Pruners;
using Hpo.Registries;
using Hpo.Storage;
using Hpo.Tuners;
using Microsoft.Extensions.Logging;

namespace Hpo.Studies;

/// <summary>Options of a new study. Everything but the logger and the clock is stored with the study.</summary>
public sealed class StudyOptions
{
    /// <summary>Gets or sets whether the study minimizes or maximizes.</summary>
    /// <value>The default value is <see cref="StudyDirection.Minimize"/>.</value>
    public StudyDirection Direction { get; set; } = StudyDirection.Minimize;

    /// <summary>Gets or sets the tuner.</summary>
    /// <value>The default value is <see langword="null"/>: a <see cref="Tuners.RandomSearch.RandomSearchTuner"/> with default options.</value>
    public ITuner? Tuner { get; set; }

    /// <summary>Gets or sets the pruner that decides, from the intermediate values, which running trials stop early.</summary>
    /// <value>The default value is <see langword="null"/>: no trial is pruned (<see cref="Trials.ITrial.ShouldPruneAsync"/> returns <see langword="false"/>).</value>
    public IPruner? Pruner { get; set; }

    /// <summary>Gets or sets the seed from which every tuner's randomness derives.</summary>
    /// <value>The default value is <see langword="null"/>: a seed is drawn once and stored with the study.</value>
    public int? Seed { get; set; }

    /// <summary>Gets or sets the study-wide budget: the maximum number of finished trials (complete, pruned, failed; not stale) across every process.</summary>
    /// <value>The default value is <see langword="null"/> (no limit; bound each run with <see cref="OptimizeOptions.TrialCount"/>).</value>
    public int? Budget { get; set; }

    /// <summary>Gets or sets how long a running trial's heartbeat stays valid before the trial becomes stale (its worker is taken as lost).</summary>
    /// <value>
    /// The default value is 10 seconds: workers renew heartbeats every third of it, and a lost worker's trial is stale within 20 seconds.
    /// Raise it when a worker can be cut off from the storage for longer (a network outage, a database fail-over; a PostgreSQL restart
    /// is allowed for), since the trials of live workers that could not renew in time become stale too, and their late results are
    /// not recorded. Long training runs lose little by a lease of minutes.
    /// </value>
    public TimeSpan Lease { get; set; } = StudyDefinition.DefaultLease;

    /// <summary>
    /// Gets or sets how many times a trial is run again, as a new trial, after a failure that <see cref="RetryOn"/> names. The retry
    /// copies the trial's parameters, intermediate values and attributes and records which trial it retries
    /// (<see cref="Trials.TrialRetry"/>); a retry of a retry counts as a further attempt. Stored with the study, so every worker applies it.
    /// </summary>
    /// <value>The default value is 0: failures are not retried.</value>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets which failures are retried while <see cref="MaxRetries"/> allows: lost workers, exceptions, timeouts.</summary>
    /// <value>The default value is <see cref="Hpo.RetryOn.LostWorker"/>.</value>
    public RetryOn RetryOn { get; set; } = RetryOn.LostWorker;

    /// <summary>Gets or sets the logger factory.</summary>
    /// <value>The default value is <see langword="null"/> (no logging).</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the clock used for timeouts and heartbeats.</summary>
    /// <value>The default value is <see langword="null"/> (<see cref="TimeProvider.System"/>).</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Gets or sets the registry that rebuilds the stored tuner when an existing study is opened (<see cref="Study.CreateOrLoadAsync"/>,
    /// <see cref="Study.LoadAsync(Storage.IStudyStorage, string, StudyOptions, CancellationToken)"/>). Not stored with the study.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (<see cref="TunerRegistry.Default"/>).</value>
    public TunerRegistry? TunerRegistry { get; set; }

    /// <summary>Gets or sets the registry that rebuilds the stored pruner when an existing study is opened. Not stored with the study.</summary>
    /// <value>The default value is <see langword="null"/> (<see cref="PrunerRegistry.Default"/>).</value>
    public PrunerRegistry? PrunerRegistry { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Direction))
        {
            problems.Add($"Direction must be Minimize or Maximize, but got {(int)Direction}.");
        }

        if (Budget is int b && b <= 0)
        {
            problems.Add($"Budget must be positive or null (no limit), but got {b}.");
        }

        if (Lease < TimeSpan.FromMilliseconds(100) || Lease > Durations.MaxLease)
        {
            problems.Add($"Lease must be between 100 ms and 1 day (00:00:00.1 to {Durations.MaxLease}), but got {Lease}.");
        }

        if (MaxRetries < 0)
        {
            problems.Add($"MaxRetries must not be negative, but got {MaxRetries}.");
        }

        if ((RetryOn & ~(RetryOn.LostWorker | RetryOn.Exception | RetryOn.Timeout)) != 0)
        {
            problems.Add($"RetryOn must combine LostWorker, Exception and Timeout, but got {(int)RetryOn}.");
        }

        OptionsValidation.ThrowIfAny(nameof(StudyOptions), problems);
    }
}

/// <summary>How a study reacts when an objective throws.</summary>
public enum FailurePolicy
{
    /// <summary>Record the trial as failed with the exception and go on (the default).</summary>
    Continue = 0,

    /// <summary>Record the trial as failed, stop starting trials, let running trials finish, then rethrow the exception.</summary>
    Stop = 1,
}

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
