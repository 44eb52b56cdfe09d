using Hpo.Objectives;
using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>
/// Runs a study's trials as a long-lived worker with a graceful stop, as <c>hpo worker</c> and the hosted worker of Hpo.Hosting do:
/// when a stop is requested, no trial starts any more; the running ones may finish within the grace period; those still running
/// then are handed back — recorded stale with a reason, so the study's retry policy runs them again and the budget does not count
/// them — and cancelled. No trial of this worker is left <see cref="TrialState.Running"/>.
/// </summary>
/// <remarks>
/// A thin caller of <see cref="Study.OptimizeAsync(IObjective, OptimizeOptions?, CancellationToken)"/> with
/// <see cref="OptimizeOptions.StopToken"/>, <see cref="OptimizeOptions.GracePeriod"/> and <see cref="OptimizeOptions.AbandonAfter"/>
/// set: a program of one's own gets the same behaviour by setting them.
/// </remarks>
public static class StudyWorker
{
    /// <summary>Runs trials until the budget or the run's trial count is reached, or a stop is requested and handled.</summary>
    /// <param name="study">The study.</param>
    /// <param name="objective">Runs one trial.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="stopRequested">Requests the graceful stop (SIGTERM, a host's stop): never an error.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<StudyWorkerResult> RunAsync(Study study, IObjective objective, StudyWorkerOptions? options = null, CancellationToken stopRequested = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new StudyWorkerOptions();
        CheckRange(options.GracePeriod, nameof(options.GracePeriod));
        CheckRange(options.AbandonAfter, nameof(options.AbandonAfter));

        OptimizeOptions given = options.Run ?? throw new ArgumentException("StudyWorkerOptions.Run must not be null.", nameof(options));
        using CancellationTokenSource? linked = given.StopToken.CanBeCanceled && stopRequested.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(given.StopToken, stopRequested)
            : null;
        Func<int, ValueTask>? onHandedBack = options.OnTrialHandedBack;
        var run = new OptimizeOptions
        {
            TrialCount = given.TrialCount,
            Timeout = given.Timeout,
            StopToken = linked?.Token ?? (stopRequested.CanBeCanceled ? stopRequested : given.StopToken),
            GracePeriod = options.GracePeriod,
            AbandonAfter = options.AbandonAfter,
            OnTrialHandedBack = onHandedBack is null ? given.OnTrialHandedBack : a => onHandedBack(a.Trial.Number),
            Concurrency = given.Concurrency,
            TrialTimeout = given.TrialTimeout,
            FailurePolicy = given.FailurePolicy,
            OnTrialFinished = given.OnTrialFinished,
        };

        OptimizeResult result = await study.OptimizeAsync(objective, run, CancellationToken.None).ConfigureAwait(false);

        // A run that had to hand trials back reports no result of its own (as before the scheduler took the stop over).
        bool handedBack = result.HandedBack > 0 || result.Abandoned;
        return new StudyWorkerResult(handedBack ? null : result, result.HandedBack, result.Abandoned);
    }

    private static void CheckRange(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero || value > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"StudyWorkerOptions.{name} must be between 0 and 1 hour, but got {value}.");
        }
    }
}
