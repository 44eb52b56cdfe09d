using Hpo.Studies;
using Hpo.Visualization.Progress;

namespace Hpo;

/// <summary>Reports a run's progress to an <see cref="IProgress{T}"/>.</summary>
public static class ProgressExtensions
{
    /// <summary>
    /// Makes the run report a <see cref="StudyProgress"/> to <paramref name="progress"/> after each trial it finishes (on top of any
    /// <see cref="OptimizeOptions.OnTrialFinished"/> callback already set, which still runs first). Call it after setting
    /// <see cref="OptimizeOptions.TrialCount"/> and <see cref="OptimizeOptions.Timeout"/>, which the time left is computed from.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <param name="progress">Where the progress goes, for example a <see cref="ConsoleProgressView"/>.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <returns>The same options.</returns>
    public static OptimizeOptions ReportProgress(this OptimizeOptions options, IProgress<StudyProgress> progress, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var tracker = new StudyProgressTracker(options.TrialCount, options.Timeout, timeProvider);
        Func<TrialFinishedArguments, ValueTask>? previous = options.OnTrialFinished;
        options.OnTrialFinished = async arguments =>
        {
            if (previous is not null)
            {
                await previous(arguments).ConfigureAwait(false);
            }

            progress.Report(tracker.Update(arguments));
        };
        return options;
    }
}
