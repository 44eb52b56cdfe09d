using Hpo.SearchSpaces;

namespace Hpo.Visualization.Plots;

/// <summary>Checks shared by the plots' computations.</summary>
internal static class PlotGuards
{
    /// <summary>Gets the axis of a parameter of the study, or throws an error that names the known parameters.</summary>
    public static ParameterAxis Axis(StudyData data, string name, string argument)
    {
        ArgumentNullException.ThrowIfNull(name, argument);
        SearchParameter? p = data.SearchSpace.Parameters.FirstOrDefault(p => p.Name == name);
        return p is not null
            ? ParameterAxis.For(p)
            : throw new ArgumentException($"The study '{data.Study.Name}' has no parameter '{name}'. Parameters: {string.Join(", ", data.SearchSpace.Parameters.Select(p => p.Name))}.", argument);
    }
}
