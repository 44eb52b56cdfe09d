using System.Collections.ObjectModel;
using Hpo.Internal;

namespace Hpo.SearchSpaces;

/// <summary>
/// Makes a parameter conditional: it exists only when the categorical <see cref="Parent"/> is active and takes one of
/// <see cref="Values"/> (for example <c>beta1</c> only when <c>optimizer</c> is <c>adam</c> or <c>adamw</c>).
/// </summary>
public sealed class ParameterCondition : IEquatable<ParameterCondition>
{
    /// <summary>Initializes a new instance of the <see cref="ParameterCondition"/> class.</summary>
    /// <param name="parent">The name of the categorical parent parameter.</param>
    /// <param name="values">The parent's choices for which the child exists; at least one.</param>
    /// <exception cref="ArgumentException"><paramref name="parent"/> is empty or <paramref name="values"/> is empty or holds null.</exception>
    public ParameterCondition(string parent, IEnumerable<object> values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(parent);
        ArgumentNullException.ThrowIfNull(values);
        object[] list = [.. values];
        if (list.Length == 0)
        {
            throw new ArgumentException($"A condition on '{parent}' needs at least one parent value, but got none.", nameof(values));
        }

        if (Array.IndexOf(list, null) >= 0)
        {
            throw new ArgumentException($"A condition on '{parent}' cannot list null as a parent value.", nameof(values));
        }

        Parent = parent;
        Values = new ReadOnlyCollection<object>(Array.ConvertAll(list, Normalize));
    }

    /// <summary>Gets the name of the parent parameter.</summary>
    public string Parent { get; }

    /// <summary>Gets the parent values for which the child exists.</summary>
    public IReadOnlyList<object> Values { get; }

    /// <summary>Creates a condition: the child exists when <paramref name="parent"/> takes one of <paramref name="values"/>.</summary>
    /// <param name="parent">The name of the categorical parent parameter.</param>
    /// <param name="values">The parent's choices for which the child exists.</param>
    /// <returns>The condition.</returns>
    public static ParameterCondition When(string parent, params object[] values) => new(parent, values);

    /// <inheritdoc/>
    public bool Equals(ParameterCondition? other)
    {
        if (other is null || other.Parent != Parent || other.Values.Count != Values.Count)
        {
            return false;
        }

        for (int i = 0; i < Values.Count; i++)
        {
            if (!Values[i].Equals(other.Values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ParameterCondition);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Parent, Values.Count);

    /// <inheritdoc/>
    public override string ToString() => $"{Parent} in {Format.Values(Values)}";

    /// <summary>
    /// Stores numbers as categorical choices are stored (integers as <see cref="long"/>, other numbers as <see cref="double"/>),
    /// so that a condition written with <c>int</c> literals equals its JSON round trip.
    /// </summary>
    private static object Normalize(object value) => value switch
    {
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        float f => (double)f,
        decimal m => (double)m,
        _ => value,
    };
}
