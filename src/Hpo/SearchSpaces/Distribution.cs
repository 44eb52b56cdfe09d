namespace Hpo.SearchSpaces;

/// <summary>
/// The set of values one parameter can take. Distributions are immutable and validated when they are created;
/// the concrete kinds are <see cref="FloatDistribution"/>, <see cref="IntDistribution"/> and <see cref="CategoricalDistribution"/>.
/// </summary>
/// <remarks>
/// Every distribution has an <em>internal representation</em>, one <see cref="double"/> per value: the number itself for
/// floats and integers, the index of the choice for categoricals. Storages persist the internal representation and
/// rebuild the typed values with <see cref="ToExternal(double)"/>.
/// </remarks>
public abstract class Distribution : IEquatable<Distribution>
{
    private protected Distribution()
    {
    }

    /// <summary>Gets the kind of values this distribution takes.</summary>
    public abstract ParameterKind Kind { get; }

    /// <summary>Gets a value indicating whether the distribution has finitely many values (integers, stepped floats, categoricals).</summary>
    public abstract bool IsDiscrete { get; }

    /// <summary>Gets the number of distinct values, or <see langword="null"/> for a continuous float.</summary>
    public abstract long? Cardinality { get; }

    /// <summary>Converts a typed value to its internal representation.</summary>
    /// <param name="value">A value of this distribution: a <see cref="double"/> for floats, an integer for ints, one of the choices for categoricals.</param>
    /// <returns>The internal representation.</returns>
    /// <exception cref="ArgumentException">The value has the wrong type or lies outside the distribution.</exception>
    public abstract double ToInternal(object value);

    /// <summary>Converts an internal representation back to the typed value.</summary>
    /// <param name="internalValue">An internal representation produced by <see cref="ToInternal(object)"/>.</param>
    /// <returns>A <see cref="double"/> for floats, a <see cref="long"/> for ints, the choice for categoricals.</returns>
    /// <exception cref="ArgumentException">The internal value does not belong to this distribution.</exception>
    public abstract object ToExternal(double internalValue);

    /// <summary>Determines whether an internal representation belongs to this distribution.</summary>
    /// <param name="internalValue">The internal representation to check.</param>
    /// <returns><see langword="true"/> when the value lies inside the distribution and respects its scale and step.</returns>
    public abstract bool ContainsInternal(double internalValue);

    /// <inheritdoc/>
    public abstract bool Equals(Distribution? other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Distribution d && Equals(d);

    /// <inheritdoc/>
    public abstract override int GetHashCode();
}
