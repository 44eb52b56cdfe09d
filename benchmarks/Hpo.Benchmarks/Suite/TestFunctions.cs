namespace Hpo.Benchmarks.Suite;

/// <summary>The public suite: the five functions, in the order they are run and reported.</summary>
public static class TestFunctions
{
    /// <summary>Gets every function of the suite, in order.</summary>
    public static IReadOnlyList<TestFunction> All { get; } = [new Branin(), new Hartmann6(), new Rosenbrock5(), new Ackley5(), new TuningLike()];

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
