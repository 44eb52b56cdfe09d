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
