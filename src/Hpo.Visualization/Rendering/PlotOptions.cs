using Hpo.Visualization.Importance;

namespace Hpo.Visualization.Rendering;

/// <summary>Settings of <see cref="StudyPlotter"/>.</summary>
public sealed class PlotOptions
{
    /// <summary>Gets or sets the image's width in pixels.</summary>
    /// <value>The default value is 900.</value>
    public int Width { get; set; } = 900;

    /// <summary>Gets or sets the image's height in pixels.</summary>
    /// <value>The default value is 540.</value>
    public int Height { get; set; } = 540;

    /// <summary>Gets or sets the parameter of a slice plot, and the horizontal parameter of a contour; the first parameter when <see langword="null"/>.</summary>
    public string? Parameter { get; set; }

    /// <summary>Gets or sets the vertical parameter of a contour; the first parameter other than the horizontal one when <see langword="null"/>.</summary>
    public string? SecondParameter { get; set; }

    /// <summary>
    /// Gets or sets the most markers, lines or bars drawn per plot: a larger study is thinned to a uniform stride of its trials
    /// (the best trial and every improvement of the best value are always drawn). The data layer is never thinned.
    /// </summary>
    /// <value>The default value is 20,000.</value>
    public int MaxItems { get; set; } = 20_000;

    /// <summary>Gets or sets the settings of the importance evaluation.</summary>
    public ParameterImportanceOptions? Importance { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (Width is < 100 or > 10_000)
        {
            problems.Add($"Width must be between 100 and 10000 pixels, but got {Width}.");
        }

        if (Height is < 100 or > 10_000)
        {
            problems.Add($"Height must be between 100 and 10000 pixels, but got {Height}.");
        }

        if (MaxItems < 10)
        {
            problems.Add($"MaxItems must be at least 10, but got {MaxItems}.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("The 'PlotOptions' are invalid." + Environment.NewLine + string.Join(Environment.NewLine, problems), "options");
        }
    }
}
