using System.Collections.ObjectModel;
using Hpo.Internal;

namespace Hpo.SearchSpaces;

/// <summary>
/// An immutable, validated search space: floats, integers, categoricals and conditional children.
/// </summary>
/// <remarks>
/// <para>
/// Validation happens here, once: duplicate names, a condition on an unknown parent, on a parent that is not categorical,
/// on a value the parent cannot take, and conditions that form a cycle are rejected with an <see cref="ArgumentException"/>
/// naming the parameter, the rule and the value.
/// </para>
/// <para>
/// The parameters are kept in dependency order (parents first, otherwise in declaration order). The JSON form written by
/// <see cref="ToJson"/> and read by <see cref="FromJson(string)"/> is documented in the repository's README.
/// </para>
/// </remarks>
public sealed class SearchSpace : ISearchSpace, IEquatable<SearchSpace>
{
    private readonly Dictionary<string, int> indexByName;

    /// <summary>Initializes a new instance of the <see cref="SearchSpace"/> class.</summary>
    /// <param name="parameters">The parameters, in any order that the conditions permit (parents may follow their children).</param>
    /// <exception cref="ArgumentException">The parameters are inconsistent; the message says which and why.</exception>
    public SearchSpace(IEnumerable<SearchParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var declared = new List<SearchParameter>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SearchParameter? p in parameters)
        {
            if (p is null)
            {
                throw new ArgumentException("A search space cannot contain a null parameter.", nameof(parameters));
            }

            ValidateName(p.Name, nameof(parameters));
            ArgumentNullException.ThrowIfNull(p.Distribution, nameof(parameters));
            if (!names.Add(p.Name))
            {
                throw new ArgumentException($"Parameter names must be unique, but '{p.Name}' is declared twice.", nameof(parameters));
            }

            declared.Add(p);
        }

        var byName = declared.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (SearchParameter p in declared)
        {
            if (p.Condition is not { } c)
            {
                continue;
            }

            if (!byName.TryGetValue(c.Parent, out SearchParameter? parent))
            {
                throw new ArgumentException($"Parameter '{p.Name}': its condition names the parent '{c.Parent}', which is not a parameter of this space.", nameof(parameters));
            }

            if (parent.Name == p.Name)
            {
                throw new ArgumentException($"Parameter '{p.Name}': a parameter cannot be conditional on itself.", nameof(parameters));
            }

            if (parent.Distribution is not CategoricalDistribution cat)
            {
                throw new ArgumentException($"Parameter '{p.Name}': its parent '{c.Parent}' must be categorical, but it is {parent.Distribution}.", nameof(parameters));
            }

            foreach (object v in c.Values)
            {
                if (cat.IndexOf(v) < 0)
                {
                    throw new ArgumentException($"Parameter '{p.Name}': its condition requires '{c.Parent}' to be {Format.Value(v)}, which is not one of its choices {Format.Values(cat.Choices)}.", nameof(parameters));
                }
            }
        }

        // Topological order, stable with respect to declaration order; whatever remains unplaced sits on a cycle.
        var ordered = new List<SearchParameter>(declared.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < declared.Count)
        {
            bool progress = false;
            foreach (SearchParameter p in declared)
            {
                if (!placed.Contains(p.Name) && (p.Condition is null || placed.Contains(p.Condition.Parent)))
                {
                    ordered.Add(p);
                    placed.Add(p.Name);
                    progress = true;
                }
            }

            if (!progress)
            {
                string cycle = string.Join(" -> ", FindCycle(declared.Where(p => !placed.Contains(p.Name)).ToDictionary(p => p.Name, StringComparer.Ordinal)));
                throw new ArgumentException($"The conditions form a cycle: {cycle}. A parent cannot depend on its own descendants.", nameof(parameters));
            }
        }

        Parameters = new ReadOnlyCollection<SearchParameter>(ordered);
        indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var distributions = new Dictionary<string, Distribution>(StringComparer.Ordinal);
        for (int i = 0; i < ordered.Count; i++)
        {
            indexByName[ordered[i].Name] = i;
            distributions[ordered[i].Name] = ordered[i].Distribution;
        }

        Distributions = new ReadOnlyDictionary<string, Distribution>(distributions);
        IsConditional = ordered.Any(p => p.Condition is not null);
    }

    /// <inheritdoc/>
    public IReadOnlyList<SearchParameter> Parameters { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, Distribution> Distributions { get; }

    /// <summary>Gets a value indicating whether some parameter is conditional.</summary>
    public bool IsConditional { get; }

    /// <summary>Gets the number of parameters.</summary>
    public int Count => Parameters.Count;

    /// <summary>Gets the parameter with the given name.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <returns>The parameter.</returns>
    /// <exception cref="KeyNotFoundException">The space has no such parameter.</exception>
    public SearchParameter this[string name] =>
        indexByName.TryGetValue(name, out int i)
            ? Parameters[i]
            : throw new KeyNotFoundException($"The search space has no parameter '{name}'. Its parameters are: {string.Join(", ", Parameters.Select(p => p.Name))}.");

    /// <summary>Creates a builder for a new search space.</summary>
    /// <returns>A new, empty builder.</returns>
    public static SearchSpaceBuilder CreateBuilder() => new();

    /// <summary>Returns <paramref name="space"/> itself when it is a <see cref="SearchSpace"/>, or a validated copy of it.</summary>
    /// <param name="space">Any search space.</param>
    /// <returns>A validated <see cref="SearchSpace"/>.</returns>
    public static SearchSpace From(ISearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return space as SearchSpace ?? new SearchSpace(space.Parameters);
    }

    /// <summary>Reads a search space from its JSON form.</summary>
    /// <param name="json">The JSON text (see the README for the format).</param>
    /// <returns>The validated search space.</returns>
    /// <exception cref="FormatException">The text is not a valid search-space document.</exception>
    /// <exception cref="ArgumentException">The document describes an invalid space.</exception>
    public static SearchSpace FromJson(string json) => SearchSpaceJson.Read(json);

    /// <summary>Writes the search space in its JSON form.</summary>
    /// <returns>The JSON text, indented.</returns>
    public string ToJson() => SearchSpaceJson.Write(this, indented: true);

    /// <summary>Determines whether the space has a parameter with the given name.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <returns><see langword="true"/> if it exists.</returns>
    public bool Contains(string name) => indexByName.ContainsKey(name);

    /// <summary>Gets the position of a parameter in <see cref="Parameters"/>, or -1.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <returns>The index, or -1 when there is no such parameter.</returns>
    public int IndexOf(string name) => indexByName.TryGetValue(name, out int i) ? i : -1;

    /// <summary>Determines whether a parameter exists given the values chosen for its ancestors.</summary>
    /// <param name="name">The parameter's name.</param>
    /// <param name="values">Typed values chosen so far (at least the parameter's ancestors).</param>
    /// <returns><see langword="true"/> when the parameter is active.</returns>
    public bool IsActive(string name, IReadOnlyDictionary<string, object> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        SearchParameter p = this[name];
        while (p.Condition is { } c)
        {
            if (!values.TryGetValue(c.Parent, out object? parentValue))
            {
                return false;
            }

            var parentDist = (CategoricalDistribution)Distributions[c.Parent];
            int chosen = parentDist.IndexOf(parentValue);
            if (!c.Values.Any(v => parentDist.IndexOf(v) == chosen))
            {
                return false;
            }

            p = this[c.Parent];
        }

        return true;
    }

    /// <summary>
    /// Checks a full assignment of parameters (for example a warm-start point) and returns it in canonical form: every
    /// active parameter present and inside its distribution, no inactive or unknown parameter.
    /// </summary>
    /// <param name="values">The typed values, by name.</param>
    /// <returns>The canonical values, in parameter order.</returns>
    /// <exception cref="ArgumentException">A parameter is missing, unknown, inactive or out of range.</exception>
    public IReadOnlyDictionary<string, object> Validate(IReadOnlyDictionary<string, object> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (string key in values.Keys)
        {
            if (!indexByName.ContainsKey(key))
            {
                throw new ArgumentException($"Parameter '{key}' is not part of the search space. Its parameters are: {string.Join(", ", Parameters.Select(p => p.Name))}.", nameof(values));
            }
        }

        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (SearchParameter p in Parameters)
        {
            bool active = p.Condition is null || IsActive(p.Name, result);
            bool given = values.TryGetValue(p.Name, out object? value);
            if (active && !given)
            {
                throw new ArgumentException($"Parameter '{p.Name}' is active but has no value" + (p.Condition is { } c ? $" (it exists when {c})." : "."), nameof(values));
            }

            if (!active && given)
            {
                throw new ArgumentException($"Parameter '{p.Name}' is inactive here: it exists only when {p.Condition}, but a value was given.", nameof(values));
            }

            if (active)
            {
                double internalValue;
                try
                {
                    internalValue = p.Distribution.ToInternal(value!);
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Parameter '{p.Name}': {e.Message.Split(" (Parameter")[0]}", nameof(values), e);
                }

                result[p.Name] = p.Distribution.ToExternal(internalValue);
            }
        }

        return new ReadOnlyDictionary<string, object>(result);
    }

    /// <inheritdoc/>
    public bool Equals(SearchSpace? other) =>
        other is not null && other.Parameters.Count == Parameters.Count && Parameters.SequenceEqual(other.Parameters, SearchParameterComparer.Instance);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SearchSpace);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Parameters.Count, Parameters.Count > 0 ? Parameters[0].Name : null);

    /// <inheritdoc/>
    public override string ToString() => string.Join("; ", Parameters.Select(p => $"{p.Name}: {p.Distribution}" + (p.Condition is { } c ? $" when {c}" : string.Empty)));

    internal static void ValidateName(string? name, string argumentName)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"A parameter name must be a non-empty string, but got {Format.Value(name)}.", argumentName);
        }
    }

    private static List<string> FindCycle(Dictionary<string, SearchParameter> remaining)
    {
        // Every remaining parameter has a remaining parent, so following parents from any of them must revisit one.
        var path = new List<string>();
        string current = remaining.Keys.First();
        while (!path.Contains(current))
        {
            path.Add(current);
            current = remaining[current].Condition!.Parent;
        }

        List<string> cycle = path.Skip(path.IndexOf(current)).ToList();
        cycle.Add(current);
        return cycle;
    }

    private sealed class SearchParameterComparer : IEqualityComparer<SearchParameter>
    {
        public static readonly SearchParameterComparer Instance = new();

        public bool Equals(SearchParameter? x, SearchParameter? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Distribution.Equals(y.Distribution) && Equals(x.Condition, y.Condition);

        public int GetHashCode(SearchParameter obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
