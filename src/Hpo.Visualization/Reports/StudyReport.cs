using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Visualization.Importance;
using Hpo.Visualization.Plots;
using Hpo.Visualization.Rendering;

namespace Hpo.Visualization.Reports;

/// <summary>
/// Writes one self-contained HTML file about a study: its settings, counts by state, best trial, search space, every plot (inline
/// SVG), parameter importance and a sortable, filterable table of trials. Scripts and styles are inlined and nothing refers to an
/// external URL, so the file opens with no network. A machine-readable summary sits in
/// <c>&lt;script type="application/json" id="hpo-summary"&gt;</c>.
/// </summary>
public static class StudyReport
{
    /// <summary>Writes the report of a study.</summary>
    /// <param name="data">The study.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <returns>The HTML text.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static string Generate(StudyData data, StudyReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new StudyReportOptions();
        options.Validate();
        DateTimeOffset now = (options.TimeProvider ?? TimeProvider.System).GetUtcNow();
        var plotOptions = new PlotOptions { MaxItems = options.MaxPlotItems, Width = 900, Height = 480 };
        ParameterImportance importance = ParameterImportance.Compute(data, plotOptions.Importance);
        TrialRecord? best = data.BestTrial;
        StudyDefinitionView d = new(data);

        var html = new StringBuilder(256 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<link rel=\"icon\" href=\"data:,\">\n<title>").Append(E($"Study {data.Study.Name} — Hpo report")).Append("</title>\n<style>\n").Append(ReportAssets.Css).Append(InteractivePlot.Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>Study <span id=\"study-name\">").Append(E(data.Study.Name)).Append("</span></h1><p class=\"muted\">Hpo report generated ")
            .Append(E(now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append(" UTC from ")
            .Append(data.Trials.Count.ToString("N0", CultureInfo.InvariantCulture)).Append(" trials.</p>\n<nav>");
        foreach ((string id, string title) in Sections)
        {
            html.Append("<a href=\"#").Append(id).Append("\">").Append(E(title)).Append("</a> ");
        }

        html.Append("</nav></header>\n<main>\n");

        // Summary: counts, best trial, settings.
        html.Append("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">\n");
        html.Append("<div class=\"card\"><h3>Trials by state</h3><table class=\"kv\" id=\"counts\">");
        foreach ((string name, int count) in Counts(data.Counts))
        {
            html.Append("<tr><th>").Append(name).Append("</th><td id=\"count-").Append(name).Append("\" data-value=\"").Append(count.ToString(CultureInfo.InvariantCulture)).Append("\">")
                .Append(count.ToString("N0", CultureInfo.InvariantCulture)).Append("</td></tr>");
        }

        html.Append("</table></div>\n<div class=\"card\"><h3>Best trial</h3>");
        if (best is null)
        {
            html.Append("<p id=\"best-none\">No trial is complete yet.</p>");
        }
        else
        {
            html.Append("<table class=\"kv\"><tr><th>number</th><td id=\"best-number\">").Append(best.Number.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>")
                .Append("<tr><th>value</th><td id=\"best-value\" data-value=\"").Append(R(best.Value!.Value)).Append("\">").Append(E(Num(best.Value!.Value))).Append("</td></tr>");
            foreach (SearchParameter p in data.SearchSpace.Parameters)
            {
                if (best.Parameters.TryGetValue(p.Name, out object? v))
                {
                    html.Append("<tr><th>").Append(E(p.Name)).Append("</th><td class=\"best-param\" data-name=\"").Append(E(p.Name)).Append("\">").Append(E(ParameterAxis.Label(v))).Append("</td></tr>");
                }
            }

            if (best.Duration is TimeSpan duration)
            {
                html.Append("<tr><th>duration</th><td>").Append(E(Duration(duration))).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append("</div>\n<div class=\"card\"><h3>Settings</h3><table class=\"kv\" id=\"settings\">");
        foreach ((string key, string value) in d.Settings)
        {
            html.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value)).Append("</td></tr>");
        }

        html.Append("</table></div>\n</div></section>\n");

        // Search space.
        html.Append("<section id=\"space\"><h2>Search space</h2><table class=\"grid\" id=\"space-table\"><thead><tr><th>parameter</th><th>distribution</th><th>condition</th></tr></thead><tbody>");
        foreach (SearchParameter p in data.SearchSpace.Parameters)
        {
            html.Append("<tr><td>").Append(E(p.Name)).Append("</td><td>").Append(E(p.Distribution.ToString() ?? string.Empty)).Append("</td><td>")
                .Append(E(p.Condition?.ToString() ?? "—")).Append("</td></tr>");
        }

        html.Append("</tbody></table></section>\n");

        // Plots.
        html.Append("<section id=\"plots\"><h2>Plots</h2>\n");
        // The history and the slices are interactive (our inline script draws them from JSON: tooltips, zoom, click to the trial's row).
        InteractiveFigure(html, "plot-history", "Optimization history", InteractivePlot.HistoryJson(data, options.MaxPlotItems));
        html.Append("<div class=\"figure\" id=\"plot-importance-block\"><h3>Parameter importance</h3>");
        html.Append("<p class=\"muted\">").Append(E(ParameterImportance.Method)).Append(": the share of the objective's variance each parameter explains alone (main effect), normalised to sum to 1, from ")
            .Append(importance.TrialsUsed.ToString("N0", CultureInfo.InvariantCulture)).Append(" complete trials.</p>");
        if (importance.Entries.Count > 0)
        {
            html.Append("<table class=\"grid\" id=\"importance-table\"><thead><tr><th>parameter</th><th>importance</th><th>main-effect variance fraction</th><th>sd over trees</th></tr></thead><tbody>");
            foreach (ImportanceEntry e in importance.Entries)
            {
                html.Append("<tr><td>").Append(E(e.Name)).Append("</td><td data-value=\"").Append(R(e.Importance)).Append("\">").Append(e.Importance.ToString("0.000", CultureInfo.InvariantCulture))
                    .Append("</td><td>").Append(e.VarianceFraction.ToString("0.000", CultureInfo.InvariantCulture)).Append("</td><td>").Append(e.StandardDeviation.ToString("0.000", CultureInfo.InvariantCulture)).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        foreach (ExcludedParameter x in importance.Excluded)
        {
            html.Append("<p class=\"muted\">").Append(E($"{x.Name} is not evaluated: {x.Reason}")).Append("</p>");
        }

        html.Append("<div class=\"svg\" id=\"plot-importance\">").Append(Svg(StudyPlotter.RenderSvg(data, PlotKind.Importance, plotOptions))).Append("</div></div>\n");

        // One slice per parameter, one contour per pair of the most important parameters: a selector shows one at a time.
        var slices = data.SearchSpace.Parameters.Select((p, i) => (p.Name, InteractiveBox($"plot-slice-{i}", InteractivePlot.SliceJson(data, p.Name, options.MaxPlotItems)))).ToList();
        Switcher(html, "plot-slice", "Slice", slices);
        string[] ranked = [.. importance.Entries.Select(e => e.Name).Concat(data.SearchSpace.Parameters.Select(p => p.Name)).Distinct().Take(options.MaxContourParameters)];
        var contours = new List<(string, string)>();
        for (int i = 0; i < ranked.Length; i++)
        {
            for (int j = i + 1; j < ranked.Length; j++)
            {
                contours.Add(($"{ranked[j]} against {ranked[i]}", Svg(StudyPlotter.RenderSvg(data, PlotKind.Contour, new PlotOptions { MaxItems = options.MaxPlotItems, Width = 900, Height = 520, Parameter = ranked[i], SecondParameter = ranked[j] }))));
            }
        }

        if (contours.Count > 0)
        {
            Switcher(html, "plot-contour", "Contour", contours);
        }

        Figure(html, "plot-parallel", "Parallel coordinates", StudyPlotter.RenderSvg(data, PlotKind.ParallelCoordinates, plotOptions));
        Figure(html, "plot-intermediate", "Intermediate values", StudyPlotter.RenderSvg(data, PlotKind.IntermediateValues, plotOptions));
        Figure(html, "plot-timeline", "Timeline of trials per worker", StudyPlotter.RenderSvg(data, PlotKind.Timeline, new PlotOptions { MaxItems = options.MaxPlotItems, Width = 900, Height = Math.Clamp(160 + (28 * Timeline.Compute(data).Workers.Count), 240, 1400) }));
        html.Append("</section>\n");

        // Trials.
        TrialRecord[] listed = ListedTrials(data, options.MaxTableTrials, best);
        html.Append("<section id=\"trials\"><h2>Trials</h2><p class=\"muted\" id=\"trials-note\">")
            .Append(listed.Length == data.Trials.Count ? $"All {data.Trials.Count:N0} trials." : $"The latest {listed.Length:N0} of {data.Trials.Count:N0} trials (and the best one).")
            .Append(" Click a column to sort; type to filter.</p>\n<div class=\"controls\"><input id=\"trial-filter\" type=\"search\" placeholder=\"filter (any column)\"> <select id=\"trial-state\"><option value=\"\">every state</option>");
        foreach (TrialState s in Enum.GetValues<TrialState>())
        {
            html.Append("<option>").Append(StateName(s)).Append("</option>");
        }

        html.Append("</select> <span id=\"trial-shown\"></span></div>\n<table class=\"grid sortable\" id=\"trial-table\"><thead><tr><th data-type=\"num\">number</th><th>state</th><th data-type=\"num\">value</th><th data-type=\"num\">duration (s)</th><th>worker</th>");
        foreach (SearchParameter p in data.SearchSpace.Parameters)
        {
            html.Append("<th data-type=\"").Append(p.Distribution is CategoricalDistribution ? "text" : "num").Append("\">").Append(E(p.Name)).Append("</th>");
        }

        html.Append("<th>note</th></tr></thead><tbody>\n");
        foreach (TrialRecord t in listed)
        {
            html.Append("<tr data-number=\"").Append(t.Number.ToString(CultureInfo.InvariantCulture)).Append("\" data-state=\"").Append(StateName(t.State)).Append("\"><td>").Append(t.Number.ToString(CultureInfo.InvariantCulture)).Append("</td><td class=\"state ").Append(StateName(t.State)).Append("\">").Append(StateName(t.State)).Append("</td><td")
                .Append(t.Value is double v && double.IsFinite(v) ? $" data-value=\"{R(v)}\">{E(Num(v))}" : ">").Append("</td><td>")
                .Append(t.Duration is TimeSpan du ? du.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty).Append("</td><td>").Append(E(t.Owner ?? string.Empty)).Append("</td>");
            foreach (SearchParameter p in data.SearchSpace.Parameters)
            {
                html.Append("<td>").Append(t.Parameters.TryGetValue(p.Name, out object? pv) ? E(ParameterAxis.Label(pv)) : string.Empty).Append("</td>");
            }

            string note = t.FailReason ?? (TrialRetry.RetryOf(t) is int of ? $"retry {TrialRetry.Attempt(t)} of trial {of}" : string.Empty);
            html.Append("<td>").Append(E(note.Length > 200 ? note[..200] + "…" : note)).Append("</td></tr>\n");
        }

        html.Append("</tbody></table></section>\n</main>\n");
        html.Append("<script type=\"application/json\" id=\"hpo-summary\">").Append(SummaryJson(data, best, importance)).Append("</script>\n");
        html.Append("<script>\n").Append(InteractivePlot.Script).Append('\n').Append(ReportAssets.Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the report of a study to a file.</summary>
    /// <param name="data">The study.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public static Task SaveAsync(StudyData data, string path, StudyReportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return File.WriteAllTextAsync(path, Generate(data, options), new UTF8Encoding(false), cancellationToken);
    }

    private static readonly (string Id, string Title)[] Sections = [("summary", "Summary"), ("space", "Search space"), ("plots", "Plots"), ("trials", "Trials")];

    internal static string StateName(TrialState state) => state.ToString().ToLowerInvariant();

    internal static IEnumerable<(string Name, int Count)> Counts(TrialCounts c) =>
        [("complete", c.Complete), ("pruned", c.Pruned), ("failed", c.Failed), ("stale", c.Stale), ("running", c.Running), ("waiting", c.Waiting), ("total", c.Total)];

    private static TrialRecord[] ListedTrials(StudyData data, int max, TrialRecord? best)
    {
        int skip = Math.Max(0, data.Trials.Count - max);
        IEnumerable<TrialRecord> latest = data.Trials.Skip(skip);
        return best is not null && best.Number < (skip < data.Trials.Count ? data.Trials[skip].Number : int.MaxValue) ? [best, .. latest] : [.. latest];
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Num(double value) => value.ToString("G8", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan d) => d.TotalSeconds < 120 ? d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : d.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture);

    /// <summary>Strips the XML declaration so the SVG can sit inside HTML.</summary>
    private static string Svg(string svg)
    {
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start >= 0 ? svg[start..] : svg;
    }

    /// <summary>A box the interactive script draws into, and its data in a JSON script element beside it.</summary>
    private static string InteractiveBox(string id, string json) =>
        $"<div class=\"interactive\" id=\"{id}\" data-hpo-plot=\"{id}-data\"></div><script type=\"application/json\" id=\"{id}-data\">{InteractivePlot.ForScriptElement(json)}</script>";

    private static void InteractiveFigure(StringBuilder html, string id, string title, string json) =>
        html.Append("<div class=\"figure\"><h3>").Append(E(title)).Append("</h3>").Append(InteractiveBox(id, json)).Append("</div>\n");

    private static void Figure(StringBuilder html, string id, string title, string svg) =>
        html.Append("<div class=\"figure\"><h3>").Append(E(title)).Append("</h3><div class=\"svg\" id=\"").Append(id).Append("\">").Append(Svg(svg)).Append("</div></div>\n");

    private static void Switcher(StringBuilder html, string id, string title, IReadOnlyList<(string Label, string Svg)> items)
    {
        html.Append("<div class=\"figure switcher\" id=\"").Append(id).Append("\"><h3>").Append(E(title)).Append(" <select class=\"switch\" aria-label=\"").Append(E(title)).Append("\">");
        for (int i = 0; i < items.Count; i++)
        {
            html.Append("<option value=\"").Append(i.ToString(CultureInfo.InvariantCulture)).Append("\">").Append(E(items[i].Label)).Append("</option>");
        }

        html.Append("</select></h3>");
        for (int i = 0; i < items.Count; i++)
        {
            html.Append("<div class=\"svg pane\" data-index=\"").Append(i.ToString(CultureInfo.InvariantCulture)).Append('"').Append(i == 0 ? string.Empty : " hidden").Append('>').Append(items[i].Svg).Append("</div>");
        }

        html.Append("</div>\n");
    }

    private static string SummaryJson(StudyData data, TrialRecord? best, ParameterImportance importance)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("study", data.Study.Name);
            w.WriteString("direction", data.Direction == StudyDirection.Minimize ? "minimize" : "maximize");
            w.WriteStartObject("counts");
            foreach ((string name, int count) in Counts(data.Counts))
            {
                w.WriteNumber(name, count);
            }

            w.WriteEndObject();
            if (best is not null)
            {
                w.WriteStartObject("best");
                w.WriteNumber("number", best.Number);
                w.WriteNumber("value", best.Value!.Value);
                w.WriteEndObject();
            }

            w.WriteStartArray("importance");
            foreach (ImportanceEntry e in importance.Entries)
            {
                w.WriteStartObject();
                w.WriteString("name", e.Name);
                w.WriteNumber("importance", e.Importance);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        // The default encoder escapes '<', so the JSON cannot close the script element early.
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class StudyDefinitionView(StudyData data)
    {
        public IEnumerable<(string Key, string Value)> Settings
        {
            get
            {
                Storage.StudyDefinition d = data.Study.Definition;
                yield return ("direction", d.Direction == StudyDirection.Minimize ? "minimize" : "maximize");
                yield return ("tuner", d.TunerName + (d.TunerSettings is "{}" or "" ? string.Empty : " " + d.TunerSettings));
                yield return ("pruner", d.PrunerName is null ? "none" : d.PrunerName + (d.PrunerSettings is "{}" or "" ? string.Empty : " " + d.PrunerSettings));
                yield return ("seed", d.Seed.ToString(CultureInfo.InvariantCulture));
                yield return ("budget", d.Budget is int b ? b.ToString("N0", CultureInfo.InvariantCulture) + " trials" : "none");
                yield return ("lease", d.Lease.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s");
                yield return ("retries", d.MaxRetries == 0 ? "none" : $"{d.MaxRetries} on {d.RetryOn}");
                yield return ("created", data.Study.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC");
            }
        }
    }
}
