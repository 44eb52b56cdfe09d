using Hpo.Studies;

namespace Hpo.Storage.Providers;

/// <summary>
/// The part of a study's definition that the trial life cycle obeys: the budget, the lease and the retry policy. A pure value,
/// taken once from the stored definition (<see cref="Of"/>).
/// </summary>
/// <param name="Budget">The most trials that count against the budget (complete, pruned, failed and live running), or <see langword="null"/> for no limit.</param>
/// <param name="Lease">How long a running trial's heartbeat stays valid.</param>
/// <param name="RetryOn">The failures that are retried as new trials.</param>
/// <param name="MaxRetries">How many times one original trial is retried at most.</param>
public readonly record struct TrialPolicy(int? Budget, TimeSpan Lease, RetryOn RetryOn, int MaxRetries)
{
    /// <summary>Gets the policy of a study.</summary>
    /// <param name="definition">The study's definition.</param>
    /// <returns>The policy.</returns>
    public static TrialPolicy Of(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new TrialPolicy(definition.Budget, definition.Lease, definition.RetryOn, definition.MaxRetries);
    }
}
