namespace Hpo.Visualization.Importance;

/// <summary>A parameter left out of the importance evaluation, and why.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Reason">Why it was left out.</param>
public readonly record struct ExcludedParameter(string Name, string Reason);
