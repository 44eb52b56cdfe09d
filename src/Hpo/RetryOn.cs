namespace Hpo;

/// <summary>The failures after which a study's retry policy runs a trial again (see <see cref="Studies.StudyOptions.MaxRetries"/>).</summary>
[Flags]
public enum RetryOn
{
    /// <summary>No failure is retried.</summary>
    None = 0,

    /// <summary>
    /// The trial's worker was lost: it stopped renewing the lease (it died, or lost the database) or its process is gone. The trial
    /// becomes <see cref="Trials.TrialState.Stale"/>, and the retry is enqueued by whichever worker notices it.
    /// </summary>
    LostWorker = 1,

    /// <summary>The objective threw an exception (other than a cancellation of the run or a pruning).</summary>
    Exception = 2,

    /// <summary>The trial ran longer than <see cref="Studies.OptimizeOptions.TrialTimeout"/>.</summary>
    Timeout = 4,
}
