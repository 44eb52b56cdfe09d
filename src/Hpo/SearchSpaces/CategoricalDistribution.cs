using System.Collections.ObjectModel;
using Hpo.Internal;

namespace Hpo.SearchSpaces;

/// <summary>One of a finite, ordered list of choices: strings, numbers or booleans (they may be mixed).</summary>
/// <remarks>
/// Integer choices are kept as <see cref="long"/>, other numbers as <see cref="double"/>. The internal representation of a
/// value is the index of its choice.
/// </remarks>
public sealed class CategoricalDistribution : Distribution
{
    private readonly object[] choices;
    private readonly Dictionary<object, int> indexes; // choice -> its index: O(1) look-ups and duplicate checks

    /// <summary>Initializes a new instance of the <see cref="CategoricalDistribution"/> class.</summary>
    /// <param name="choices">The choices: at least one, no duplicates, each a string, a number or a boolean.</param>
    /// <exception cref="ArgumentException">There are no choices, a choice has an unsupported type or is NaN, or a choice appears twice.</exception>
    public CategoricalDistribution(IEnumerable<object> choices)
        : this(null, choices)
    {
    }

    internal CategoricalDistribution(string? parameterName, IEnumerable<object> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        string prefix = parameterName is null ? string.Empty : $"Parameter '{parameterName}': ";
        var list = new List<object>();
        indexes = [];
        int index = 0;
        foreach (object? choice in choices)
        {
            object normalized = Normalize(choice, index, prefix);
            if (!indexes.TryAdd(normalized, index))
            {
                throw new ArgumentException(prefix + $"categorical choices must be distinct, but choice {index} ({Format.Value(normalized)}) repeats choice {indexes[normalized]}.", nameof(choices));
            }

            list.Add(normalized);
            index++;
        }

        if (list.Count == 0)
        {
            throw new ArgumentException(prefix + "a categorical parameter needs at least one choice, but got none.", nameof(choices));
        }

        this.choices = [.. list];
        Choices = new ReadOnlyCollection<object>(this.choices);
    }

    /// <summary>Gets the choices, in order.</summary>
    public IReadOnlyList<object> Choices { get; }

    /// <inheritdoc/>
    public override ParameterKind Kind => ParameterKind.Categorical;

    /// <inheritdoc/>
    public override bool IsDiscrete => true;

    /// <inheritdoc/>
    public override long? Cardinality => choices.Length;

    /// <summary>Gets the index of a choice, or -1 when it is not one.</summary>
    /// <param name="value">The value to look up; integers of any width and floats are compared as <see cref="long"/> and <see cref="double"/>.</param>
    /// <returns>The index of the choice, or -1.</returns>
    public int IndexOf(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        object normalized;
        try
        {
            normalized = Normalize(value, 0, string.Empty);
        }
        catch (ArgumentException)
        {
            return -1;
        }

        return indexes.TryGetValue(normalized, out int index) ? index : -1;
    }

    /// <inheritdoc/>
    public override double ToInternal(object value)
    {
        int i = IndexOf(value);
        if (i < 0)
        {
            throw new ArgumentException($"The value {Format.Value(value)} is not one of the choices {Format.Values(choices)}.", nameof(value));
        }

        return i;
    }

    /// <inheritdoc/>
    public override object ToExternal(double internalValue)
    {
        if (!ContainsInternal(internalValue))
        {
            throw new ArgumentException($"The internal value {Format.Value(internalValue)} is not a choice index in [0, {choices.Length - 1}].", nameof(internalValue));
        }

        return choices[(int)internalValue];
    }

    /// <inheritdoc/>
    public override bool ContainsInternal(double internalValue) =>
        internalValue >= 0 && internalValue < choices.Length && internalValue == Math.Floor(internalValue);

    /// <inheritdoc/>
    public override bool Equals(Distribution? other) =>
        other is CategoricalDistribution c && c.choices.AsSpan().SequenceEqual(choices);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (object c in choices)
        {
            hash.Add(c);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => "categorical " + Format.Values(choices);

    private static object Normalize(object? choice, int index, string prefix) => choice switch
    {
        null => throw new ArgumentException(prefix + $"categorical choices must be strings, numbers or booleans, but choice {index} is null.", "choices"),
        string or bool or long => choice,
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        double d when double.IsFinite(d) => d,
        float f when float.IsFinite(f) => (double)f,
        decimal m => (double)m,
        double or float => throw new ArgumentException(prefix + $"categorical choices must be finite numbers, but choice {index} is {Format.Value(choice)}.", "choices"),
        _ => throw new ArgumentException(prefix + $"categorical choices must be strings, numbers or booleans, but choice {index} has type {choice.GetType().Name}.", "choices"),
    };
}
