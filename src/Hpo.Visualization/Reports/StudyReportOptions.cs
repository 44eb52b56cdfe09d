namespace Hpo.Visualization.Reports;

/// <summary>Settings of <see cref="StudyReport"/>.</summary>
public sealed class StudyReportOptions
{
    /// <summary>Gets or sets the most trials listed in the report's trials table: the latest ones, plus the best trial.</summary>
    /// <value>The default value is 2,000.</value>
    public int MaxTableTrials { get; set; } = 2000;

    /// <summary>Gets or sets the most markers, lines or bars drawn per plot (see <see cref="Rendering.PlotOptions.MaxItems"/>).</summary>
    /// <value>The default value is 5,000.</value>
    public int MaxPlotItems { get; set; } = 5000;

    /// <summary>Gets or sets how many parameters the contour plots pair up (the most important ones): n parameters give n(n-1)/2 contours.</summary>
    /// <value>The default value is 4.</value>
    public int MaxContourParameters { get; set; } = 4;

    /// <summary>Gets or sets the clock that stamps the report; the system clock when <see langword="null"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (MaxTableTrials < 1)
        {
            problems.Add($"MaxTableTrials must be at least 1, but got {MaxTableTrials}.");
        }

        if (MaxPlotItems < 10)
        {
            problems.Add($"MaxPlotItems must be at least 10, but got {MaxPlotItems}.");
        }

        if (MaxContourParameters < 2)
        {
            problems.Add($"MaxContourParameters must be at least 2, but got {MaxContourParameters}.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("The 'StudyReportOptions' are invalid." + Environment.NewLine + string.Join(Environment.NewLine, problems), "options");
        }
    }
}
