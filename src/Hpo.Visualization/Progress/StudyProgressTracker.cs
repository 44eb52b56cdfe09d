using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Visualization.Progress;

/// <summary>
/// Turns the <see cref="OptimizeOptions.OnTrialFinished"/> callbacks of one run into <see cref="StudyProgress"/> reports: this
/// run's rate, and the time left when the study's budget, the run's trial count or its timeout bounds it.
/// </summary>
public sealed class StudyProgressTracker
{
    private readonly TimeProvider time;
    private readonly long started;
    private readonly int? trialCount;
    private readonly TimeSpan? timeout;
    private readonly Lock gate = new();
    private int finished;
    private int? firstFinishedCount;

    /// <summary>Initializes a new instance of the <see cref="StudyProgressTracker"/> class; the run's clock starts now.</summary>
    /// <param name="trialCount">The run's <see cref="OptimizeOptions.TrialCount"/>, if any.</param>
    /// <param name="timeout">The run's <see cref="OptimizeOptions.Timeout"/>, if any.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    public StudyProgressTracker(int? trialCount = null, TimeSpan? timeout = null, TimeProvider? timeProvider = null)
    {
        time = timeProvider ?? TimeProvider.System;
        started = time.GetTimestamp();
        this.trialCount = trialCount;
        this.timeout = timeout;
    }

    /// <summary>Records a finished trial and computes the progress.</summary>
    /// <param name="arguments">What the callback received.</param>
    /// <returns>The progress.</returns>
    public StudyProgress Update(TrialFinishedArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments.Study);
        TimeSpan elapsed = time.GetElapsedTime(started);
        int done;
        int budgetFinished = arguments.Counts.Finished;
        lock (gate)
        {
            done = ++finished;
            firstFinishedCount ??= budgetFinished - 1;
        }

        double rate = elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0;
        int? left = null;
        if (arguments.Study.Budget is int budget)
        {
            left = Math.Max(0, budget - budgetFinished - arguments.Counts.Running);
        }

        if (trialCount is int count)
        {
            left = Math.Min(left ?? int.MaxValue, Math.Max(0, count - done));
        }

        TimeSpan? timeLeft = null;
        if (left is int l && rate > 0)
        {
            timeLeft = TimeSpan.FromSeconds(l / rate);
        }

        if (timeout is TimeSpan limit)
        {
            TimeSpan remaining = limit > elapsed ? limit - elapsed : TimeSpan.Zero;
            timeLeft = timeLeft is TimeSpan t && t < remaining ? t : remaining;
        }

        return new StudyProgress
        {
            StudyName = arguments.Study.Name,
            Counts = arguments.Counts,
            LastTrial = arguments.Trial,
            BestTrial = arguments.BestTrial,
            FinishedThisRun = done,
            Elapsed = elapsed,
            TrialsPerSecond = rate,
            TrialsLeft = left,
            TimeLeft = timeLeft,
        };
    }
}
