namespace Hpo.SearchSpaces;

/// <summary>
/// Builds a <see cref="SearchSpace"/> fluently. Each <c>Add…</c> validates its distribution at once; <see cref="Build"/>
/// checks names and conditions across parameters. A builder is single-use.
/// </summary>
/// <example>
/// <code>
/// var space = new SearchSpaceBuilder()
///     .AddFloat("lr", 1e-5, 1e-1, log: true)
///     .AddInt("layers", 1, 4)
///     .AddCategorical("optimizer", "sgd", "adam")
///     .AddFloat("beta1", 0.8, 0.999, condition: ParameterCondition.When("optimizer", "adam"))
///     .Build();
/// </code>
/// </example>
public sealed class SearchSpaceBuilder
{
    private readonly List<SearchParameter> parameters = [];
    private bool built;

    /// <summary>Adds a float parameter.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <param name="low">The smallest value.</param>
    /// <param name="high">The largest value.</param>
    /// <param name="log">Whether values are spread on a logarithmic scale.</param>
    /// <param name="step">An optional grid spacing.</param>
    /// <param name="condition">When the parameter exists; <see langword="null"/> for always.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name or the distribution is invalid.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its space.</exception>
    public SearchSpaceBuilder AddFloat(string name, double low, double high, bool log = false, double? step = null, ParameterCondition? condition = null) =>
        Add(name, n => new FloatDistribution(n, low, high, log, step), condition);

    /// <summary>Adds an integer parameter.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <param name="low">The smallest value.</param>
    /// <param name="high">The largest value.</param>
    /// <param name="log">Whether values are spread on a logarithmic scale.</param>
    /// <param name="step">The spacing of the values.</param>
    /// <param name="condition">When the parameter exists; <see langword="null"/> for always.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name or the distribution is invalid.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its space.</exception>
    public SearchSpaceBuilder AddInt(string name, long low, long high, bool log = false, long step = 1, ParameterCondition? condition = null) =>
        Add(name, n => new IntDistribution(n, low, high, log, step), condition);

    /// <summary>Adds a categorical parameter.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <param name="choices">The choices: strings, numbers or booleans.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name or the choices are invalid.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its space.</exception>
    public SearchSpaceBuilder AddCategorical(string name, params object[] choices) =>
        Add(name, n => new CategoricalDistribution(n, choices), null);

    /// <summary>Adds a conditional categorical parameter.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <param name="condition">When the parameter exists.</param>
    /// <param name="choices">The choices: strings, numbers or booleans.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name or the choices are invalid.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its space.</exception>
    public SearchSpaceBuilder AddCategorical(string name, ParameterCondition condition, params object[] choices) =>
        Add(name, n => new CategoricalDistribution(n, choices), condition);

    /// <summary>Adds a parameter with a distribution built elsewhere.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <param name="distribution">Its distribution.</param>
    /// <param name="condition">When the parameter exists; <see langword="null"/> for always.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already used.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its space.</exception>
    public SearchSpaceBuilder Add(string name, Distribution distribution, ParameterCondition? condition = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Add(name, _ => distribution, condition);
    }

    /// <summary>Validates the parameters across each other and builds the space.</summary>
    /// <returns>The search space.</returns>
    /// <exception cref="ArgumentException">A condition names an unknown parent or value, or the conditions form a cycle.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its space.</exception>
    public SearchSpace Build()
    {
        ThrowIfBuilt();
        built = true;
        return new SearchSpace(parameters);
    }

    private SearchSpaceBuilder Add(string name, Func<string, Distribution> create, ParameterCondition? condition)
    {
        ThrowIfBuilt();
        SearchSpace.ValidateName(name, nameof(name));
        if (parameters.Exists(p => p.Name == name))
        {
            throw new ArgumentException($"Parameter names must be unique, but '{name}' is declared twice.", nameof(name));
        }

        parameters.Add(new SearchParameter(name, create(name), condition));
        return this;
    }

    private void ThrowIfBuilt()
    {
        if (built)
        {
            throw new InvalidOperationException("This SearchSpaceBuilder has already built its search space; a builder is single-use. Create a new builder.");
        }
    }
}
