namespace Hpo.Visualization.Rendering;

/// <summary>The command-line names of <see cref="PlotKind"/>.</summary>
public static class PlotKinds
{
    private static readonly (string Name, PlotKind Kind)[] Names =
    [
        ("history", PlotKind.History),
        ("importance", PlotKind.Importance),
        ("slice", PlotKind.Slice),
        ("parallel-coordinates", PlotKind.ParallelCoordinates),
        ("contour", PlotKind.Contour),
        ("intermediate", PlotKind.IntermediateValues),
        ("timeline", PlotKind.Timeline),
    ];

    /// <summary>Gets every name, in the enum's order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Names.Select(n => n.Name)];

    /// <summary>Gets the name of a kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its name, for example <c>parallel-coordinates</c>.</returns>
    public static string NameOf(PlotKind kind) => Names.First(n => n.Kind == kind).Name;

    /// <summary>Parses a name.</summary>
    /// <param name="name">The name, for example <c>history</c>.</param>
    /// <returns>The kind.</returns>
    /// <exception cref="ArgumentException">The name is not one of <see cref="All"/>.</exception>
    public static PlotKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach ((string n, PlotKind k) in Names)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                return k;
            }
        }

        throw new ArgumentException($"The plot kind must be one of {string.Join(", ", All)}, but got '{name}'.", nameof(name));
    }
}
