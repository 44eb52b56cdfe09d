using System.Globalization;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Visualization.Importance;
using Hpo.Visualization.Plots;
using ScottPlot;

namespace Hpo.Visualization.Rendering;

/// <summary>Draws a study's plots as PNG or SVG images (ScottPlot), from the data computed in <see cref="Plots"/>.</summary>
public static class StudyPlotter
{
    /// <summary>Renders a plot as PNG.</summary>
    /// <param name="data">The study.</param>
    /// <param name="kind">The plot.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="ArgumentException">The options are invalid or name an unknown parameter.</exception>
    public static byte[] RenderPng(StudyData data, PlotKind kind, PlotOptions? options = null)
    {
        options = Checked(options);
        return Build(data, kind, options).GetImageBytes(options.Width, options.Height, ImageFormat.Png);
    }

    /// <summary>Renders a plot as an SVG document.</summary>
    /// <param name="data">The study.</param>
    /// <param name="kind">The plot.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <returns>The SVG text.</returns>
    /// <exception cref="ArgumentException">The options are invalid or name an unknown parameter.</exception>
    public static string RenderSvg(StudyData data, PlotKind kind, PlotOptions? options = null)
    {
        options = Checked(options);
        return Build(data, kind, options).GetSvgXml(options.Width, options.Height);
    }

    /// <summary>Renders a plot to a file whose extension (<c>.png</c> or <c>.svg</c>) picks the format.</summary>
    /// <param name="data">The study.</param>
    /// <param name="kind">The plot.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentException">The extension is neither .png nor .svg, or the options are invalid.</exception>
    public static async Task SaveAsync(StudyData data, PlotKind kind, string path, PlotOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string extension = Path.GetExtension(path).ToUpperInvariant();
        if (extension == ".PNG")
        {
            await File.WriteAllBytesAsync(path, RenderPng(data, kind, options), cancellationToken).ConfigureAwait(false);
        }
        else if (extension == ".SVG")
        {
            await File.WriteAllTextAsync(path, RenderSvg(data, kind, options), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new ArgumentException($"The output file must end in .png or .svg, but got '{path}'.", nameof(path));
        }
    }

    /// <summary>Gets the colour of a trial state on every plot (as a CSS hex colour).</summary>
    /// <param name="state">The state.</param>
    /// <returns>The colour, for example <c>#1f77b4</c>.</returns>
    public static string StateColor(TrialState state) => state switch
    {
        TrialState.Complete => "#1f77b4",
        TrialState.Pruned => "#ff7f0e",
        TrialState.Failed => "#d62728",
        TrialState.Stale => "#7f7f7f",
        TrialState.Running => "#2ca02c",
        _ => "#bcbd22",
    };

    internal static Plot Build(StudyData data, PlotKind kind, PlotOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        switch (kind)
        {
            case PlotKind.History:
                History(plot, data, options);
                break;
            case PlotKind.Importance:
                ImportancePlot(plot, data, options);
                break;
            case PlotKind.Slice:
                Slice(plot, data, options);
                break;
            case PlotKind.ParallelCoordinates:
                Parallel(plot, data, options);
                break;
            case PlotKind.Contour:
                Contour(plot, data, options);
                break;
            case PlotKind.IntermediateValues:
                Intermediate(plot, data, options);
                break;
            case PlotKind.Timeline:
                TimelinePlot(plot, data, options);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown plot kind {kind}.");
        }

        return plot;
    }

    private static PlotOptions Checked(PlotOptions? options)
    {
        options ??= new PlotOptions();
        options.Validate();
        return options;
    }

    private static Color Hex(string hex) => Color.FromHex(hex);

    private static void Empty(Plot plot, string message)
    {
        var text = plot.Add.Text(message, 0, 0);
        text.LabelFontSize = 16;
        text.LabelAlignment = Alignment.MiddleCenter;
        plot.Axes.SetLimits(-1, 1, -1, 1);
        plot.HideAxesAndGrid();
    }

    private static string ValueLabel(StudyData data) => data.Direction == StudyDirection.Minimize ? "Objective value (minimised)" : "Objective value (maximised)";

    /// <summary>Picks at most <paramref name="max"/> indexes out of <paramref name="count"/> at a uniform stride, always including <paramref name="keep"/>.</summary>
    internal static List<int> Thin(int count, int max, Func<int, bool>? keep = null)
    {
        var picked = new List<int>(Math.Min(count, max + 64));
        int stride = Math.Max(1, (count + max - 1) / max);
        for (int i = 0; i < count; i++)
        {
            if (i % stride == 0 || (keep?.Invoke(i) ?? false))
            {
                picked.Add(i);
            }
        }

        return picked;
    }

    private static void History(Plot plot, StudyData data, PlotOptions options)
    {
        plot.Title($"Optimization history: {data.Study.Name}");
        OptimizationHistory history = OptimizationHistory.Compute(data);
        if (history.Points.Count == 0)
        {
            Empty(plot, "No complete trial yet");
            return;
        }

        List<int> shown = Thin(history.Points.Count, options.MaxItems, i => history.Points[i].IsImprovement);
        var values = plot.Add.ScatterPoints(shown.Select(i => (double)history.Points[i].Number).ToArray(), shown.Select(i => history.Points[i].Value).ToArray());
        values.Color = Hex(StateColor(TrialState.Complete)).WithAlpha(0.6);
        values.MarkerSize = 5;
        values.LegendText = shown.Count < history.Points.Count ? $"Objective value ({shown.Count:N0} of {history.Points.Count:N0} trials drawn)" : "Objective value";
        HistoryPoint[] steps = [.. history.Points.Where(p => p.IsImprovement), history.Points[^1]];
        var best = plot.Add.Scatter(steps.Select(p => (double)p.Number).ToArray(), steps.Select(p => p.BestSoFar).ToArray());
        best.ConnectStyle = ConnectStyle.StepHorizontal;
        best.Color = Hex("#d62728");
        best.LineWidth = 2;
        best.MarkerSize = 0;
        best.LegendText = "Best value so far";
        plot.XLabel("Trial number");
        plot.YLabel(ValueLabel(data));
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void ImportancePlot(Plot plot, StudyData data, PlotOptions options)
    {
        plot.Title($"Parameter importance ({ParameterImportance.Method})");
        ParameterImportance importance = ParameterImportance.Compute(data, options.Importance);
        if (importance.Entries.Count == 0)
        {
            Empty(plot, data.CompleteTrials.Count < 2 ? "Importance needs at least two complete trials" : "No parameter could be evaluated");
            return;
        }

        // Most important at the top.
        ImportanceEntry[] entries = [.. importance.Entries.Reverse()];
        var bars = entries.Select((e, i) => new Bar
        {
            Position = i,
            Value = e.Importance,
            FillColor = Hex(StateColor(TrialState.Complete)),
            Label = e.Importance.ToString("0.000", CultureInfo.InvariantCulture),
        }).ToList();
        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = true;
        plottable.ValueLabelStyle.FontSize = 12;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. entries.Select((_, i) => (double)i)], [.. entries.Select(e => e.Name)]);
        plot.Axes.SetLimitsX(0, Math.Max(0.05, entries.Max(e => e.Importance)) * 1.15);
        plot.XLabel($"Importance (share of main effects; {importance.TrialsUsed:N0} complete trials)");
    }

    private static void NumericTicks(IAxis axis, ParameterAxis parameter)
    {
        if (parameter.IsCategorical)
        {
            axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. parameter.Categories.Select((_, i) => (double)i)], [.. parameter.Categories]);
        }
        else if (parameter.Log)
        {
            var positions = new List<double>();
            var labels = new List<string>();
            double lo = Math.Floor(Math.Log10(parameter.Low)), hi = Math.Ceiling(Math.Log10(parameter.High));
            for (double e = lo; e <= hi; e++)
            {
                positions.Add(e);
                labels.Add(Math.Pow(10, e).ToString("G3", CultureInfo.InvariantCulture));
            }

            axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. positions], [.. labels]);
        }
    }

    private static double Coordinate(ParameterAxis axis, double value) => axis.Log ? Math.Log10(value) : value;

    private static void Slice(Plot plot, StudyData data, PlotOptions options)
    {
        string name = options.Parameter ?? data.SearchSpace.Parameters[0].Name;
        SlicePlot slice = SlicePlot.Compute(data, name);
        plot.Title($"Slice: {name}" + (slice.Absent > 0 ? $" (absent from {slice.Absent:N0} complete trials)" : string.Empty));
        if (slice.Points.Count == 0)
        {
            Empty(plot, $"No complete trial has '{name}'");
            return;
        }

        List<int> shown = Thin(slice.Points.Count, options.MaxItems);
        double[] xs = [.. shown.Select(i => Coordinate(slice.Axis, slice.Points[i].X))];
        double[] ys = [.. shown.Select(i => slice.Points[i].Value)];
        // Coloured by trial number (older trials dark, newer bright), as in Optuna's slice plot: ten bands of numbers, one plottable each.
        var colormap = new ScottPlot.Colormaps.Viridis();
        int lastNumber = Math.Max(1, slice.Points[^1].Number);
        const int bands = 10;
        for (int band = 0; band < bands; band++)
        {
            int[] members = [.. Enumerable.Range(0, shown.Count).Where(k => Math.Min(bands - 1, slice.Points[shown[k]].Number * bands / (lastNumber + 1)) == band)];
            if (members.Length == 0)
            {
                continue;
            }

            var markers = plot.Add.ScatterPoints(members.Select(k => xs[k]).ToArray(), members.Select(k => ys[k]).ToArray());
            markers.Color = colormap.GetColor((band + 0.5) / bands).WithAlpha(0.75);
            markers.MarkerSize = 6;
        }

        NumericTicks(plot.Axes.Bottom, slice.Axis);
        plot.XLabel(name + (slice.Axis.Log ? " (log scale)" : string.Empty));
        plot.YLabel(ValueLabel(data));
    }

    private static void Parallel(Plot plot, StudyData data, PlotOptions options)
    {
        plot.Title("Parallel coordinates");
        ParallelCoordinates pc = ParallelCoordinates.Compute(data);
        if (pc.Lines.Count == 0)
        {
            Empty(plot, "No complete trial yet");
            return;
        }

        // The objective is the first axis; each parameter follows on [0, 1].
        int axes = pc.Axes.Count + 1;
        double span = pc.ValueHigh - pc.ValueLow;
        var colormap = new ScottPlot.Colormaps.Viridis();
        TrialRecord? best = data.BestTrial;
        List<int> shown = Thin(pc.Lines.Count, Math.Min(options.MaxItems, 5000), i => pc.Lines[i].Number == best?.Number);
        foreach (int i in shown)
        {
            ParallelLine line = pc.Lines[i];
            double v = span > 0 ? (line.Value - pc.ValueLow) / span : 0.5;
            var xs = new List<double> { 0 };
            var ys = new List<double> { v };
            for (int a = 0; a < pc.Axes.Count; a++)
            {
                if (line.Positions[a] is double p)
                {
                    xs.Add(a + 1);
                    ys.Add(p);
                }
            }

            var s = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
            double shade = data.Direction == StudyDirection.Minimize ? 1 - v : v;
            s.Color = colormap.GetColor(shade).WithAlpha(line.Number == best?.Number ? 1 : 0.35);
            s.LineWidth = line.Number == best?.Number ? 3 : 1;
        }

        for (int a = 0; a < axes; a++)
        {
            var axisLine = plot.Add.VerticalLine(a);
            axisLine.Color = Colors.Black;
            axisLine.LineWidth = 1;
            string low, high;
            if (a == 0)
            {
                low = pc.ValueLow.ToString("G4", CultureInfo.InvariantCulture);
                high = pc.ValueHigh.ToString("G4", CultureInfo.InvariantCulture);
            }
            else
            {
                ParameterAxis p = pc.Axes[a - 1];
                low = p.IsCategorical ? p.Categories[0] : ParameterAxis.Label(p.Low);
                high = p.IsCategorical ? p.Categories[^1] : ParameterAxis.Label(p.High);
            }

            var lowText = plot.Add.Text(low, a, -0.04);
            lowText.LabelAlignment = Alignment.UpperCenter;
            var highText = plot.Add.Text(high, a, 1.04);
            highText.LabelAlignment = Alignment.LowerCenter;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, axes).Select(i => (double)i)], ["Objective", .. pc.Axes.Select(a => a.Name + (a.Log ? " (log)" : string.Empty))]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([], []);
        plot.Axes.SetLimits(-0.3, axes - 0.7, -0.15, 1.15);
        if (shown.Count < pc.Lines.Count)
        {
            plot.XLabel($"{shown.Count:N0} of {pc.Lines.Count:N0} complete trials drawn");
        }
    }

    private static void Contour(Plot plot, StudyData data, PlotOptions options)
    {
        if (data.SearchSpace.Parameters.Count < 2)
        {
            throw new ArgumentException($"A contour needs two parameters, but the study '{data.Study.Name}' has {data.SearchSpace.Parameters.Count}.", nameof(data));
        }

        string x = options.Parameter ?? data.SearchSpace.Parameters[0].Name;
        string y = options.SecondParameter ?? data.SearchSpace.Parameters.First(p => p.Name != x).Name;
        ContourPlot contour = ContourPlot.Compute(data, x, y);
        plot.Title($"Contour: {y} against {x}");
        if (contour.Points.Count == 0)
        {
            Empty(plot, $"No complete trial has both '{x}' and '{y}'");
            return;
        }

        int rows = contour.YGrid.Count, cols = contour.XGrid.Count;
        var z = new double[rows, cols];
        for (int j = 0; j < rows; j++)
        {
            for (int i = 0; i < cols; i++)
            {
                // Heatmap rows run from the top down.
                z[rows - 1 - j, i] = contour.Z[j][i];
            }
        }

        var heatmap = plot.Add.Heatmap(z);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        double x0 = Coordinate(contour.XAxis, contour.XGrid[0]), x1 = Coordinate(contour.XAxis, contour.XGrid[^1]);
        double y0 = Coordinate(contour.YAxis, contour.YGrid[0]), y1 = Coordinate(contour.YAxis, contour.YGrid[^1]);
        double hx = cols > 1 ? (x1 - x0) / (cols - 1) / 2 : 0.5, hy = rows > 1 ? (y1 - y0) / (rows - 1) / 2 : 0.5;
        heatmap.Position = new CoordinateRect(x0 - hx, x1 + hx, y0 - hy, y1 + hy);
        plot.Add.ColorBar(heatmap);
        List<int> shown = Thin(contour.Points.Count, options.MaxItems);
        var points = plot.Add.ScatterPoints(
            shown.Select(i => Coordinate(contour.XAxis, contour.Points[i].X)).ToArray(),
            shown.Select(i => Coordinate(contour.YAxis, contour.Points[i].Y)).ToArray());
        points.Color = Colors.Black.WithAlpha(0.7);
        points.MarkerSize = 4;
        NumericTicks(plot.Axes.Bottom, contour.XAxis);
        NumericTicks(plot.Axes.Left, contour.YAxis);
        plot.XLabel(x + (contour.XAxis.Log ? " (log scale)" : string.Empty));
        plot.YLabel(y + (contour.YAxis.Log ? " (log scale)" : string.Empty));
    }

    private static void Intermediate(Plot plot, StudyData data, PlotOptions options)
    {
        IntermediateValues iv = IntermediateValues.Compute(data, Math.Min(options.MaxItems, IntermediateValues.DefaultMaxTrials));
        plot.Title("Intermediate values" + (iv.Omitted > 0 ? $" (latest {iv.Curves.Count:N0} trials; {iv.Omitted:N0} older omitted)" : string.Empty));
        if (iv.Curves.Count == 0)
        {
            Empty(plot, "No trial reported intermediate values");
            return;
        }

        var prunedX = new List<double>();
        var prunedY = new List<double>();
        foreach (LearningCurve c in iv.Curves)
        {
            var line = plot.Add.ScatterLine(c.Steps.Select(s => (double)s).ToArray(), c.Values.ToArray());
            line.Color = Hex(StateColor(c.State)).WithAlpha(0.5);
            line.LineWidth = 1;
            if (c.IsPruned)
            {
                prunedX.Add(c.Steps[^1]);
                prunedY.Add(c.Values[^1]);
            }
        }

        if (prunedX.Count > 0)
        {
            var marks = plot.Add.ScatterPoints(prunedX.ToArray(), prunedY.ToArray());
            marks.MarkerShape = MarkerShape.Eks;
            marks.MarkerSize = 8;
            marks.Color = Hex(StateColor(TrialState.Pruned));
        }

        StateLegend(plot, iv.Curves.Select(c => c.State));
        if (prunedX.Count > 0)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "pruned here", MarkerShape = MarkerShape.Eks, MarkerColor = Hex(StateColor(TrialState.Pruned)), MarkerSize = 8 });
        }

        plot.XLabel("Step");
        plot.YLabel("Intermediate value");
    }

    private static void StateLegend(Plot plot, IEnumerable<TrialState> states)
    {
        foreach (TrialState s in states.Distinct().Order())
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = s.ToString().ToLowerInvariant(), FillColor = Hex(StateColor(s)), LineColor = Hex(StateColor(s)), LineWidth = 3 });
        }

        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void TimelinePlot(Plot plot, StudyData data, PlotOptions options)
    {
        Timeline timeline = Timeline.Compute(data);
        plot.Title("Timeline of trials per worker");
        if (timeline.Bars.Count == 0)
        {
            Empty(plot, "No trial has started");
            return;
        }

        // The latest bars when there are too many to draw: the end of a long study is where its workers are now.
        int skip = Math.Max(0, timeline.Bars.Count - options.MaxItems);
        var bars = new List<Bar>(timeline.Bars.Count - skip);
        foreach (TimelineBar b in timeline.Bars.Skip(skip))
        {
            bool retry = b.Attempt > 0;
            bars.Add(new Bar
            {
                Position = b.Lane,
                ValueBase = b.Start,
                Value = Math.Max(b.End, b.Start + 1e-3),
                FillColor = Hex(StateColor(b.State)),
                LineColor = retry ? Colors.Black : Hex(StateColor(b.State)),
                LineWidth = retry ? 2 : 0,
                Size = 0.7,
            });
        }

        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. timeline.Workers.Select((_, i) => (double)i)], [.. timeline.Workers.Select(Shorten)]);
        StateLegend(plot, timeline.Bars.Skip(skip).Select(b => b.State));
        if (timeline.Bars.Skip(skip).Any(b => b.Attempt > 0))
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "retry (outlined)", FillColor = Colors.White, LineColor = Colors.Black, LineWidth = 2 });
        }

        plot.XLabel($"Seconds since the first trial started ({timeline.Origin!.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)" + (skip > 0 ? $"; latest {bars.Count:N0} of {timeline.Bars.Count:N0} trials" : string.Empty));
    }

    private static string Shorten(string worker) => worker.Length <= 28 ? worker : worker[..12] + "…" + worker[^14..];
}
