namespace Hpo.SearchSpaces;

/// <summary>One named parameter of a search space: its distribution and, for a conditional parameter, its condition.</summary>
/// <param name="Name">The parameter's name, unique in its space.</param>
/// <param name="Distribution">The values it can take.</param>
/// <param name="Condition">When the parameter exists, or <see langword="null"/> when it always does.</param>
public sealed record SearchParameter(string Name, Distribution Distribution, ParameterCondition? Condition = null);
