using System.Globalization;
using Hpo.SearchSpaces;

namespace Hpo.Benchmarks.Suite;

/// <summary>
/// One problem of the sample-efficiency suite: a search space, a budget, the known minimum and the function itself,
/// written to reproduce the reference values in <c>test_vectors.json</c> bit for bit (see benchmarks/README.md).
/// </summary>
public abstract class TestFunction
{
    /// <summary>Gets the function's name in the suite (for example <c>branin</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Gets the search space the tuner sees.</summary>
    public abstract SearchSpace SearchSpace { get; }

    /// <summary>Gets the number of trials a tuner gets on this function.</summary>
    public abstract int Budget { get; }

    /// <summary>Gets the global minimum as a double, used for regret.</summary>
    public abstract double FStar { get; }

    /// <summary>
    /// Gets the standard deviation of the observation noise: 0 for a deterministic function. A noisy function's
    /// <see cref="Evaluate(IReadOnlyDictionary{string, object})"/> returns the true value; the runner adds
    /// <c>NoiseSd * SuiteNoise.Normal(seed, index)</c> to what the tuner sees and scores a run by the true value of the point
    /// the study recommends.
    /// </summary>
    public virtual double NoiseSd => 0.0;

    /// <summary>Evaluates the function at typed parameter values (as a trial holds them).</summary>
    /// <param name="parameters">A value for every parameter of <see cref="SearchSpace"/>.</param>
    /// <returns>The function's value.</returns>
    public abstract double Evaluate(IReadOnlyDictionary<string, object> parameters);

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Reads a float parameter exactly (no rounding through text).</summary>
    /// <param name="parameters">The values.</param>
    /// <param name="name">The parameter's name.</param>
    /// <returns>The value as a double.</returns>
    protected static double GetDouble(IReadOnlyDictionary<string, object> parameters, string name)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Get(parameters, name) switch
        {
            double d => d,
            float f => f,
            long l => l,
            int i => i,
            IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
            object other => throw new InvalidCastException($"Parameter '{name}' must be a number, but got {other.GetType().Name} '{other}'."),
        };
    }

    /// <summary>Reads an integer parameter, refusing non-integral values.</summary>
    /// <param name="parameters">The values.</param>
    /// <param name="name">The parameter's name.</param>
    /// <returns>The value.</returns>
    protected static long GetInt64(IReadOnlyDictionary<string, object> parameters, string name)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Get(parameters, name) switch
        {
            long l => l,
            int i => i,
            double d when d == Math.Floor(d) && Math.Abs(d) < 9e15 => (long)d,
            object other => throw new InvalidCastException($"Parameter '{name}' must be an integer, but got {other.GetType().Name} '{other}'."),
        };
    }

    /// <summary>Reads a categorical parameter whose choices are strings.</summary>
    /// <param name="parameters">The values.</param>
    /// <param name="name">The parameter's name.</param>
    /// <returns>The choice.</returns>
    protected static string GetString(IReadOnlyDictionary<string, object> parameters, string name)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Get(parameters, name) as string
            ?? throw new InvalidCastException($"Parameter '{name}' must be a string choice, but got '{parameters[name]}'.");
    }

    private static object Get(IReadOnlyDictionary<string, object> parameters, string name) =>
        parameters.TryGetValue(name, out object? v) ? v : throw new KeyNotFoundException($"Parameter '{name}' is missing; the function needs {name}.");
}

/// <summary>A function of continuous parameters <c>x0, x1, …</c> in a box, each a uniform float.</summary>
public abstract class BoxFunction : TestFunction
{
    private readonly string[] names;
    private SearchSpace? space;

    /// <summary>Initializes a new instance of the <see cref="BoxFunction"/> class.</summary>
    /// <param name="lows">The lower bound of each coordinate.</param>
    /// <param name="highs">The upper bound of each coordinate.</param>
    protected BoxFunction(double[] lows, double[] highs)
    {
        ArgumentNullException.ThrowIfNull(lows);
        ArgumentNullException.ThrowIfNull(highs);
        if (lows.Length != highs.Length || lows.Length == 0)
        {
            throw new ArgumentException($"The box needs as many lower as upper bounds, at least one; got {lows.Length} and {highs.Length}.", nameof(highs));
        }

        Lows = lows;
        Highs = highs;
        names = [.. Enumerable.Range(0, lows.Length).Select(i => "x" + i.ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>Gets the number of coordinates.</summary>
    public int Dimensions => names.Length;

    /// <summary>Gets the lower bounds.</summary>
    public IReadOnlyList<double> Lows { get; }

    /// <summary>Gets the upper bounds.</summary>
    public IReadOnlyList<double> Highs { get; }

    /// <inheritdoc/>
    public override SearchSpace SearchSpace => space ??= BuildSpace();

    /// <inheritdoc/>
    public override double Evaluate(IReadOnlyDictionary<string, object> parameters)
    {
        Span<double> x = stackalloc double[names.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = GetDouble(parameters, names[i]);
        }

        return Evaluate(x);
    }

    /// <summary>Evaluates the function at a point given as coordinates.</summary>
    /// <param name="x">The coordinates, <c>x0</c> first.</param>
    /// <returns>The function's value.</returns>
    public abstract double Evaluate(ReadOnlySpan<double> x);

    private SearchSpace BuildSpace()
    {
        var builder = new SearchSpaceBuilder();
        for (int i = 0; i < names.Length; i++)
        {
            builder.AddFloat(names[i], Lows[i], Highs[i]);
        }

        return builder.Build();
    }
}
