namespace Hpo.SearchSpaces;

/// <summary>The kind of values a search-space parameter takes.</summary>
public enum ParameterKind
{
    /// <summary>A real number in a range, on a linear or logarithmic scale, optionally on a grid.</summary>
    Float,

    /// <summary>An integer in a range, on a linear or logarithmic scale, with a step.</summary>
    Int,

    /// <summary>One of a finite list of choices (strings, numbers or booleans).</summary>
    Categorical,
}
