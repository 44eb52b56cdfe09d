using Hpo.SearchSpaces;

namespace Hpo.Trials;

/// <summary>
/// The handle an objective gets for one trial: its parameters, a way to report intermediate values and to ask whether it
/// should stop early, and its user attributes.
/// </summary>
/// <remarks>
/// Only the parameters that are active in this trial are present: an inactive conditional parameter is absent, and
/// reading it throws a <see cref="KeyNotFoundException"/> that says which condition it depends on.
/// </remarks>
public interface ITrial
{
    /// <summary>Gets the trial's number, unique within its study.</summary>
    int Number { get; }

    /// <summary>Gets the name of the trial's study.</summary>
    string StudyName { get; }

    /// <summary>Gets the study's search space.</summary>
    SearchSpace SearchSpace { get; }

    /// <summary>Gets the typed values of the active parameters, by name.</summary>
    IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>Gets the user attributes set so far.</summary>
    IReadOnlyDictionary<string, string> UserAttributes { get; }

    /// <summary>Gets the value of a parameter, converted to <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">
    /// The type to read: <see cref="double"/> or <see cref="float"/> for floats; <see cref="int"/>, <see cref="long"/> or
    /// <see cref="double"/> for integers; the choice's own type (<see cref="string"/>, <see cref="bool"/>, <see cref="long"/>,
    /// <see cref="double"/>), an enum matching a string choice, or <see cref="object"/> for categoricals.
    /// </typeparam>
    /// <param name="name">The parameter's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">The space has no such parameter, or it is inactive in this trial.</exception>
    /// <exception cref="InvalidCastException">The value cannot be read as <typeparamref name="T"/> without loss.</exception>
    T Get<T>(string name);

    /// <summary>Records an intermediate value (for example the validation loss after an epoch).</summary>
    /// <param name="step">The step: an epoch, an iteration or an amount of resource.</param>
    /// <param name="value">The value at that step.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    ValueTask ReportAsync(long step, double value, CancellationToken cancellationToken = default);

    /// <summary>Asks whether the trial should stop early, given the values it reported and the other trials of the study.</summary>
    /// <remarks>
    /// The study's <see cref="Pruners.IPruner"/> decides, after the study has brought its copy of the trials up to date from the
    /// storage (only what changed since it last looked), so reports of trials running on other workers count. Ask after each
    /// <see cref="ReportAsync"/>. A study without a pruner always answers <see langword="false"/>.
    /// </remarks>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when the objective should stop and return <see cref="Objectives.ObjectiveResult.Pruned(double?)"/>.</returns>
    ValueTask<bool> ShouldPruneAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets a user attribute of the trial (kept in the storage with it).</summary>
    /// <param name="key">The attribute's key.</param>
    /// <param name="value">The attribute's value.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the attribute is stored.</returns>
    ValueTask SetUserAttributeAsync(string key, string value, CancellationToken cancellationToken = default);
}
