namespace Hpo.Visualization.Rendering;

/// <summary>The plots of a study.</summary>
public enum PlotKind
{
    /// <summary>Every complete trial's value in trial order, with the best value so far.</summary>
    History,

    /// <summary>Parameter importance (fANOVA on a random forest).</summary>
    Importance,

    /// <summary>The objective against one parameter.</summary>
    Slice,

    /// <summary>One axis per parameter, one line per complete trial coloured by its value.</summary>
    ParallelCoordinates,

    /// <summary>The objective interpolated over two parameters.</summary>
    Contour,

    /// <summary>Learning curves (intermediate values), pruned trials marked.</summary>
    IntermediateValues,

    /// <summary>Trials per worker over time, coloured by state.</summary>
    Timeline,
}
