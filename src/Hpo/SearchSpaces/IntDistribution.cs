using Hpo.Internal;

namespace Hpo.SearchSpaces;

/// <summary>
/// Integers <c>Low + k * Step</c> in [<see cref="Low"/>, <see cref="High"/>], on a linear or logarithmic scale.
/// Values are <see cref="long"/>; <c>trial.Get&lt;int&gt;</c> converts them.
/// </summary>
/// <remarks>
/// On a logarithmic scale the step must be 1 and values are drawn log-uniformly over [Low - 0.5, High + 0.5] and rounded,
/// so every integer keeps a share of the mass. Bounds are limited to ±2^53 so that every value is exact as a double.
/// </remarks>
public sealed class IntDistribution : Distribution
{
    private const long MaxMagnitude = 1L << 53;

    /// <summary>Initializes a new instance of the <see cref="IntDistribution"/> class.</summary>
    /// <param name="low">The smallest value.</param>
    /// <param name="high">The largest value, greater than <paramref name="low"/>.</param>
    /// <param name="log">Whether values are spread on a logarithmic scale (requires <paramref name="low"/> &gt;= 1 and a step of 1).</param>
    /// <param name="step">The spacing of the values, positive and not larger than <c>high - low</c>.</param>
    /// <exception cref="ArgumentException">The bounds, scale or step are invalid.</exception>
    public IntDistribution(long low, long high, bool log = false, long step = 1)
        : this(null, low, high, log, step)
    {
    }

    internal IntDistribution(string? parameterName, long low, long high, bool log, long step)
    {
        string prefix = parameterName is null ? string.Empty : $"Parameter '{parameterName}': ";
        if (low < -MaxMagnitude || low > MaxMagnitude)
        {
            throw new ArgumentException(prefix + Format.Invariant($"`low` must lie within ±2^53, but got low={low}."), nameof(low));
        }

        if (high < -MaxMagnitude || high > MaxMagnitude)
        {
            throw new ArgumentException(prefix + Format.Invariant($"`high` must lie within ±2^53, but got high={high}."), nameof(high));
        }

        if (low >= high)
        {
            throw new ArgumentException(prefix + Format.Invariant($"`high` must be greater than `low`, but got low={low}, high={high}."), nameof(high));
        }

        if (step <= 0)
        {
            throw new ArgumentException(prefix + Format.Invariant($"`step` must be positive, but got step={step}."), nameof(step));
        }

        if (step > high - low)
        {
            throw new ArgumentException(prefix + Format.Invariant($"`step` must not be larger than the range high - low = {high - low}, but got step={step}."), nameof(step));
        }

        if (log && low < 1)
        {
            throw new ArgumentException(prefix + Format.Invariant($"`low` must be at least 1 on a log scale, but got low={low}."), nameof(low));
        }

        if (log && step != 1)
        {
            throw new ArgumentException(prefix + Format.Invariant($"an integer on a log scale must have step 1, but got step={step}."), nameof(step));
        }

        Low = low;
        High = high;
        Log = log;
        Step = step;
        GridCount = ((high - low) / step) + 1;
    }

    /// <summary>Gets the smallest value.</summary>
    public long Low { get; }

    /// <summary>Gets the largest value that may be taken (values are <c>Low + k * Step</c> up to this bound).</summary>
    public long High { get; }

    /// <summary>Gets a value indicating whether values are spread on a logarithmic scale.</summary>
    public bool Log { get; }

    /// <summary>Gets the spacing of the values.</summary>
    public long Step { get; }

    /// <inheritdoc/>
    public override ParameterKind Kind => ParameterKind.Int;

    /// <inheritdoc/>
    public override bool IsDiscrete => true;

    /// <inheritdoc/>
    public override long? Cardinality => GridCount;

    /// <summary>Gets the number of values.</summary>
    internal long GridCount { get; }

    /// <summary>Gets the largest value on the grid.</summary>
    internal long GridHigh => Low + ((GridCount - 1) * Step);

    /// <inheritdoc/>
    public override double ToInternal(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        double v = value switch
        {
            long l => l,
            int i => i,
            short s => s,
            byte b => b,
            double d when d == Math.Round(d) => d,
            float f when f == MathF.Round(f) => f,
            _ => throw new ArgumentException($"An integer parameter takes an integer, but got a value of type {value.GetType().Name} ({Format.Value(value)}).", nameof(value)),
        };
        if (!ContainsInternal(v))
        {
            throw new ArgumentException($"The value {Format.Value(value)} lies outside {this}.", nameof(value));
        }

        return v;
    }

    /// <inheritdoc/>
    public override object ToExternal(double internalValue)
    {
        if (!ContainsInternal(internalValue))
        {
            throw new ArgumentException($"The internal value {Format.Value(internalValue)} lies outside {this}.", nameof(internalValue));
        }

        return (long)internalValue;
    }

    /// <inheritdoc/>
    public override bool ContainsInternal(double internalValue) =>
        internalValue >= Low && internalValue <= High && internalValue == Math.Floor(internalValue) && ((long)internalValue - Low) % Step == 0;

    /// <inheritdoc/>
    public override bool Equals(Distribution? other) =>
        other is IntDistribution i && i.Low == Low && i.High == High && i.Log == Log && i.Step == Step;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Low, High, Log, Step);

    /// <inheritdoc/>
    public override string ToString() =>
        Format.Invariant($"int [{Low}, {High}]") + (Log ? " log" : string.Empty) + (Step != 1 ? Format.Invariant($" step {Step}") : string.Empty);
}
