namespace Hpo.Objectives;

/// <summary>
/// What an objective returns: a value, or the decision that its trial was pruned. A <see cref="double"/> converts
/// implicitly, so <c>return accuracy;</c> works.
/// </summary>
public readonly record struct ObjectiveResult
{
    private ObjectiveResult(double? value, bool pruned)
    {
        Value = value;
        IsPruned = pruned;
    }

    /// <summary>Gets the objective value, or for a pruned trial its last intermediate value if any.</summary>
    public double? Value { get; }

    /// <summary>Gets a value indicating whether the trial stopped early because it was pruned.</summary>
    public bool IsPruned { get; }

    /// <summary>Converts a value to a successful result.</summary>
    /// <param name="value">The objective value.</param>
    public static implicit operator ObjectiveResult(double value) => FromValue(value);

    /// <summary>Creates a successful result. NaN and infinities are accepted here and recorded as a failed trial.</summary>
    /// <param name="value">The objective value.</param>
    /// <returns>The result.</returns>
    public static ObjectiveResult FromValue(double value) => new(value, false);

    /// <summary>Creates the result of a pruned trial.</summary>
    /// <param name="lastValue">The last intermediate value, if any.</param>
    /// <returns>The result.</returns>
    public static ObjectiveResult Pruned(double? lastValue = null) => new(lastValue, true);

    /// <inheritdoc/>
    public override string ToString() => IsPruned ? $"pruned ({Value})" : $"{Value}";
}
