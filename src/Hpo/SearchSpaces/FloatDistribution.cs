using Hpo.Internal;

namespace Hpo.SearchSpaces;

/// <summary>
/// Real numbers in [<see cref="Low"/>, <see cref="High"/>], on a linear or logarithmic scale, optionally restricted to the
/// grid <c>Low + k * Step</c>.
/// </summary>
/// <remarks>
/// A stepped range whose width is not a multiple of the step keeps the grid points that do not exceed <see cref="High"/>.
/// A step on a logarithmic scale is rejected, as Optuna does: use a categorical or an integer parameter instead.
/// </remarks>
public sealed class FloatDistribution : Distribution
{
    /// <summary>Initializes a new instance of the <see cref="FloatDistribution"/> class.</summary>
    /// <param name="low">The smallest value, finite.</param>
    /// <param name="high">The largest value, finite and greater than <paramref name="low"/>.</param>
    /// <param name="log">Whether values are spread on a logarithmic scale (requires <paramref name="low"/> &gt; 0).</param>
    /// <param name="step">The grid spacing, positive and not larger than <c>high - low</c>; <see langword="null"/> for a continuous range.</param>
    /// <exception cref="ArgumentException">A bound is not finite, <paramref name="low"/> is not below <paramref name="high"/>, a log scale starts at or below zero, or the step is invalid.</exception>
    public FloatDistribution(double low, double high, bool log = false, double? step = null)
        : this(null, low, high, log, step)
    {
    }

    internal FloatDistribution(string? parameterName, double low, double high, bool log, double? step)
    {
        string prefix = parameterName is null ? string.Empty : $"Parameter '{parameterName}': ";
        if (!double.IsFinite(low))
        {
            throw new ArgumentException(prefix + $"`low` must be a finite number, but got low={Format.Value(low)}.", nameof(low));
        }

        if (!double.IsFinite(high))
        {
            throw new ArgumentException(prefix + $"`high` must be a finite number, but got high={Format.Value(high)}.", nameof(high));
        }

        if (low >= high)
        {
            throw new ArgumentException(prefix + $"`high` must be greater than `low`, but got low={Format.Value(low)}, high={Format.Value(high)}.", nameof(high));
        }

        if (log && low <= 0)
        {
            throw new ArgumentException(prefix + $"`low` must be greater than 0 on a log scale, but got low={Format.Value(low)}.", nameof(low));
        }

        if (step is double s)
        {
            if (log)
            {
                throw new ArgumentException(prefix + $"a float on a log scale cannot have a step, but got step={Format.Value(s)}; remove the step or the log scale (an integer or categorical parameter can express a log grid).", nameof(step));
            }

            if (!double.IsFinite(s) || s <= 0)
            {
                throw new ArgumentException(prefix + $"`step` must be a positive finite number, but got step={Format.Value(s)}.", nameof(step));
            }

            if (s > high - low)
            {
                throw new ArgumentException(prefix + $"`step` must not be larger than the range high - low = {Format.Value(high - low)}, but got step={Format.Value(s)}.", nameof(step));
            }

            double ratio = (high - low) / s;
            double rounded = Math.Round(ratio);
            double count = Math.Abs(ratio - rounded) <= 1e-9 * Math.Max(1.0, ratio) ? rounded : Math.Floor(ratio);
            GridCount = (long)count + 1;
        }

        Low = low;
        High = high;
        Log = log;
        Step = step;
    }

    /// <summary>Gets the smallest value.</summary>
    public double Low { get; }

    /// <summary>Gets the largest value.</summary>
    public double High { get; }

    /// <summary>Gets a value indicating whether values are spread on a logarithmic scale.</summary>
    public bool Log { get; }

    /// <summary>Gets the grid spacing, or <see langword="null"/> for a continuous range.</summary>
    public double? Step { get; }

    /// <inheritdoc/>
    public override ParameterKind Kind => ParameterKind.Float;

    /// <inheritdoc/>
    public override bool IsDiscrete => Step.HasValue;

    /// <inheritdoc/>
    public override long? Cardinality => Step.HasValue ? GridCount : null;

    /// <summary>Gets the number of grid points of a stepped range (0 when continuous).</summary>
    internal long GridCount { get; }

    /// <summary>Gets the value of grid point <paramref name="k"/>.</summary>
    internal double GridValue(long k) => Math.Min(High, Low + (k * Step!.Value));

    /// <summary>Gets the index of the grid point nearest to <paramref name="value"/>.</summary>
    internal long GridIndex(double value) => Math.Clamp((long)Math.Round((value - Low) / Step!.Value), 0, GridCount - 1);

    /// <inheritdoc/>
    public override double ToInternal(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        double v = value switch
        {
            double d => d,
            float f => f,
            decimal m => (double)m,
            int i => i,
            long l => l,
            _ => throw new ArgumentException($"A float parameter takes a number, but got a value of type {value.GetType().Name} ({Format.Value(value)}).", nameof(value)),
        };
        if (!ContainsInternal(v))
        {
            throw new ArgumentException($"The value {Format.Value(v)} lies outside {this}.", nameof(value));
        }

        return Step.HasValue ? GridValue(GridIndex(v)) : v;
    }

    /// <inheritdoc/>
    public override object ToExternal(double internalValue)
    {
        if (!ContainsInternal(internalValue))
        {
            throw new ArgumentException($"The internal value {Format.Value(internalValue)} lies outside {this}.", nameof(internalValue));
        }

        return internalValue;
    }

    /// <inheritdoc/>
    public override bool ContainsInternal(double internalValue)
    {
        if (!(internalValue >= Low && internalValue <= High))
        {
            return false;
        }

        if (Step is double s)
        {
            double k = Math.Round((internalValue - Low) / s);
            return Math.Abs(Low + (k * s) - internalValue) <= 1e-9 * s;
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(Distribution? other) =>
        other is FloatDistribution f && f.Low.Equals(Low) && f.High.Equals(High) && f.Log == Log && Nullable.Equals(f.Step, Step);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Low, High, Log, Step);

    /// <inheritdoc/>
    public override string ToString() =>
        Format.Invariant($"float [{Low}, {High}]") + (Log ? " log" : string.Empty) + (Step is double s ? Format.Invariant($" step {s}") : string.Empty);
}
