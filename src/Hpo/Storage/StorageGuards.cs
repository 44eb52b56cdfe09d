using Hpo.Internal;
using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>Checks shared by every storage, so that they reject the same inputs with the same messages.</summary>
internal static class StorageGuards
{
    public static void Definition(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (string.IsNullOrWhiteSpace(definition.Name))
        {
            throw new ArgumentException($"A study name must be a non-empty string, but got {Format.Value(definition.Name)}.", nameof(definition));
        }

        ArgumentNullException.ThrowIfNull(definition.SearchSpace, nameof(definition));
        if (definition.Directions is null || definition.Directions.Count == 0)
        {
            throw new ArgumentException("A study needs at least one direction.", nameof(definition));
        }

        if (definition.Budget is int b && b <= 0)
        {
            throw new ArgumentException(Format.Invariant($"The study's budget must be positive or null (no limit), but got {b}."), nameof(definition));
        }

        if (definition.Lease <= TimeSpan.Zero || definition.Lease > Durations.MaxLease)
        {
            throw new ArgumentException(Format.Invariant($"The study's lease must be positive and at most {Durations.MaxLease} (1 day), but got {definition.Lease}."), nameof(definition));
        }

        if (definition.MaxRetries < 0)
        {
            throw new ArgumentException(Format.Invariant($"The study's MaxRetries must not be negative, but got {definition.MaxRetries}."), nameof(definition));
        }
    }

    public static void Finish(TrialFinish finish, int directions)
    {
        ArgumentNullException.ThrowIfNull(finish);
        ArgumentNullException.ThrowIfNull(finish.Values, nameof(finish));
        switch (finish.State)
        {
            case TrialState.Complete:
                if (finish.Values.Count != directions)
                {
                    throw new ArgumentException(Format.Invariant($"A complete trial needs {directions} value(s), one per direction, but got {finish.Values.Count}."), nameof(finish));
                }

                foreach (double v in finish.Values)
                {
                    if (!double.IsFinite(v))
                    {
                        throw new ArgumentException($"A complete trial's values must be finite, but got {Format.Value(v)}; record the trial as failed instead.", nameof(finish));
                    }
                }

                break;
            case TrialState.Pruned or TrialState.Failed:
                break;
            default:
                throw new ArgumentException($"A trial can only finish as Complete, Pruned or Failed, but got {finish.State}.", nameof(finish));
        }

        if (finish.RetryAsNewTrial && finish.State != TrialState.Failed)
        {
            throw new ArgumentException($"Only a failed trial can be retried, but got RetryAsNewTrial with {finish.State}.", nameof(finish));
        }
    }

    public static void AttributeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
    }

    public static TrialAlreadyFinishedException AlreadyFinished(TrialRecord trial, string action) =>
        new($"Trial {trial.Number} is already {trial.State.ToString().ToLowerInvariant()} and cannot {action}; finished trials never change." +
            (trial.FailReason is { } r ? $" (It failed: {r})" : string.Empty));

    public static string StaleReason(TrialRecord trial, TimeSpan lease) =>
        Format.Invariant($"Stale: its worker {trial.Owner ?? "(unknown)"} stopped renewing the heartbeat (last at {trial.Heartbeat:O}); the lease is {lease.TotalSeconds:0.###} s.");

    /// <summary>Determines whether the study's retry policy re-runs a trial whose worker was lost.</summary>
    public static bool RetriesLostWorker(StudyDefinition definition, TrialRecord trial) =>
        definition.RetryOn.HasFlag(Hpo.RetryOn.LostWorker) && trial.Parameters.Count > 0 && TrialRetry.Attempt(trial) < definition.MaxRetries;

    /// <summary>The system attributes of a retry of <paramref name="trial"/>: the trial's own, plus its origin and attempt.</summary>
    public static System.Collections.Immutable.ImmutableDictionary<string, string> RetrySystemAttributes(TrialRecord trial) =>
        trial.SystemAttributes
            .SetItem(TrialRetry.RetryOfAttribute, trial.Number.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .SetItem(TrialRetry.AttemptAttribute, (TrialRetry.Attempt(trial) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
