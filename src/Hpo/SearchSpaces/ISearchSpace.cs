namespace Hpo.SearchSpaces;

/// <summary>
/// Named, typed parameters that a tuner chooses values for. Implementations are immutable and validated at construction;
/// <see cref="SearchSpace"/> is the one that ships (build it with <see cref="SearchSpaceBuilder"/> or read it from JSON).
/// </summary>
public interface ISearchSpace
{
    /// <summary>Gets the parameters in order: every parent comes before its conditional children.</summary>
    IReadOnlyList<SearchParameter> Parameters { get; }

    /// <summary>Gets the distribution of every parameter by name.</summary>
    IReadOnlyDictionary<string, Distribution> Distributions { get; }
}
