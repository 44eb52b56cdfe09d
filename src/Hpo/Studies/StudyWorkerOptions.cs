using Hpo.Objectives;
using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>Options of <see cref="StudyWorker.RunAsync"/>: a worker's run and its graceful stop.</summary>
public sealed class StudyWorkerOptions
{
    /// <summary>The default <see cref="GracePeriod"/>: 20 seconds (under Kubernetes' default 30 s termination grace period).</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(20);

    /// <summary>The default <see cref="AbandonAfter"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultAbandonAfter = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets or sets the run's options (concurrency, trial count, trial timeout, callbacks). Its <see cref="OptimizeOptions.StopToken"/>
    /// is replaced by the stop request given to <see cref="StudyWorker.RunAsync"/> (linked with it when both are set).
    /// </summary>
    public OptimizeOptions Run { get; set; } = new();

    /// <summary>Gets or sets how long running trials may finish once a stop was requested before they are handed back (0 to 1 hour).</summary>
    public TimeSpan GracePeriod { get; set; } = DefaultGracePeriod;

    /// <summary>Gets or sets how long handed-back trials may take to stop once cancelled before the worker returns without them (0 to 1 hour).</summary>
    public TimeSpan AbandonAfter { get; set; } = DefaultAbandonAfter;

    /// <summary>Gets or sets a callback told the number of each trial handed back (recorded stale) after the grace period.</summary>
    public Func<int, ValueTask>? OnTrialHandedBack { get; set; }
}
