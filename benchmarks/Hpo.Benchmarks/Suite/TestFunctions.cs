namespace Hpo.Benchmarks.Suite;

/// <summary>
/// The public suite: the five original functions, then the six of the widened suite, in the order they are run and reported.
/// </summary>
public static class TestFunctions
{
    /// <summary>Gets the five original functions, in order.</summary>
    public static IReadOnlyList<TestFunction> Original { get; } = [new Branin(), new Hartmann6(), new Rosenbrock5(), new Ackley5(), new TuningLike()];

    /// <summary>
    /// Gets the functions added to widen the suite (wave 2), in order. The first three (<c>hartmann3</c>, <c>levy10</c>,
    /// <c>ackley_mixed</c>) were looked at while the GP tuner was designed; the last three (<c>shekel10</c>,
    /// <c>styblinski_tang20</c>, <c>hartmann6_noisy</c>) only validate it.
    /// </summary>
    public static IReadOnlyList<TestFunction> Added { get; } =
        [new Hartmann3(), new Levy10(), new AckleyMixed(), new Shekel10(), new StyblinskiTang20(), new Hartmann6Noisy()];

    /// <summary>Gets every function of the suite, in order.</summary>
    public static IReadOnlyList<TestFunction> All { get; } = [.. Original, .. Added];

    /// <summary>Finds a function by name.</summary>
    /// <param name="name">The name, as in <see cref="TestFunction.Name"/>.</param>
    /// <returns>The function.</returns>
    /// <exception cref="ArgumentException">No function has that name.</exception>
    public static TestFunction Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(f => string.Equals(f.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown function '{name}'. The suite has: {string.Join(", ", All.Select(f => f.Name))}.", nameof(name));
    }
}
