using System.Globalization;

namespace Hpo.Trials;

/// <summary>
/// How a retried trial records its origin: a retry is a new trial (with its own number) that copies the parameters, intermediate
/// values and attributes of the trial it retries, and carries two system attributes that name that trial and count the attempts.
/// </summary>
public static class TrialRetry
{
    /// <summary>The system attribute holding the number of the trial a retry re-runs.</summary>
    public const string RetryOfAttribute = "hpo:retry_of";

    /// <summary>The system attribute holding which retry a trial is: 1 for the first retry of an original trial, 2 for a retry of that retry, and so on.</summary>
    public const string AttemptAttribute = "hpo:retry_attempt";

    /// <summary>Gets the number of the trial that <paramref name="trial"/> retries, or <see langword="null"/> for an original trial.</summary>
    /// <param name="trial">The trial.</param>
    /// <returns>The retried trial's number, or <see langword="null"/>.</returns>
    public static int? RetryOf(TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return trial.SystemAttributes.TryGetValue(RetryOfAttribute, out string? s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : null;
    }

    /// <summary>Gets which retry <paramref name="trial"/> is: 0 for an original trial, 1 for its first retry, and so on.</summary>
    /// <param name="trial">The trial.</param>
    /// <returns>The attempt number.</returns>
    public static int Attempt(TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return trial.SystemAttributes.TryGetValue(AttemptAttribute, out string? s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 0;
    }
}
