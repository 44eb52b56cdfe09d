using Hpo.Internal;
using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>
/// The checks every storage makes, so that all reject the same inputs with the same messages (part of the provider kit: see
/// docs/storage.md, "Write your own provider").
/// </summary>
public static class StorageGuards
{
    /// <summary>Checks a study definition before it is stored: a name, a search space, a direction, a positive budget, a lease of at most a day, retries not negative.</summary>
    /// <param name="definition">The definition.</param>
    /// <exception cref="ArgumentException">The definition breaks a rule; the message names it and the value.</exception>
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

    /// <summary>Checks a trial's finish: a final state, one finite value per direction when complete, a retry only of a failure.</summary>
    /// <param name="finish">The finish.</param>
    /// <param name="directions">The study's number of directions.</param>
    /// <exception cref="ArgumentException">The finish breaks a rule; the message names it and the value.</exception>
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

    /// <summary>Checks an attribute's key: not null nor empty.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="ArgumentException">The key is empty.</exception>
    public static void AttributeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
    }

    /// <summary>Makes the error of a write to a finished trial, naming the trial, its state, the action refused and why it failed.</summary>
    /// <param name="trial">The finished trial.</param>
    /// <param name="action">What was refused, completing "cannot …" (for example "finish again").</param>
    /// <returns>The exception to throw.</returns>
    public static TrialAlreadyFinishedException AlreadyFinished(TrialRecord trial, string action)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return new($"Trial {trial.Number} is already {trial.State.ToString().ToLowerInvariant()} and cannot {action}; finished trials never change." +
            (trial.FailReason is { } r ? $" (It failed: {r})" : string.Empty));
    }

    /// <summary>
    /// Throws the one error of a provider's invalid options: "The '<paramref name="optionsName"/>' are invalid." followed by one line per
    /// problem, as every options class of Hpo does.
    /// </summary>
    /// <param name="optionsName">The options class's name.</param>
    /// <param name="problems">The problems found, each naming the option, the rule and the value; none means valid.</param>
    /// <exception cref="ArgumentException">There is at least one problem.</exception>
    public static void Options(string optionsName, List<string> problems)
    {
        ArgumentException.ThrowIfNullOrEmpty(optionsName);
        ArgumentNullException.ThrowIfNull(problems);
        Hpo.OptionsValidation.ThrowIfAny(optionsName, problems);
    }
}
