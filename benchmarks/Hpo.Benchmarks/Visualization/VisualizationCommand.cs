using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Hpo.Dashboard;
using Hpo.Storage;
using Hpo.Tests.Shared;
using Hpo.Visualization;
using Hpo.Visualization.Reports;
using Microsoft.Playwright;
using Hpo.Registries;

namespace Hpo.Benchmarks.Visualization;

/// <summary>
/// <c>viz-seed</c> writes a synthetic distributed study (see <see cref="SyntheticStudy"/>); <c>viz</c> measures, on a study of any
/// size: reading it, generating the HTML report (read + compute + write, as <c>hpo report</c>), the dashboard API's first answers on
/// a cold server and its pages on a warm one, and, with <c>--chromium</c>, the dashboard's first paint in headless Chromium (time
/// from navigation to the first page of trials and the counts on screen). One JSON object per measurement on standard output.
/// </summary>
public static class VisualizationCommand
{
    /// <summary>Runs <c>viz-seed</c>.</summary>
    public static async Task<int> SeedAsync(IReadOnlyList<string> args, TextWriter output)
    {
        var line = new CommandLine("viz-seed", args, "storage", "study", "trials", "workers", "seed");
        string url = line.String("storage");
        await using IStudyStorage storage = StorageRegistry.Default.Open(url);
        var watch = Stopwatch.StartNew();
        await SyntheticStudy.CreateAsync(storage, line.String("study"), line.PositiveInt("trials"), line.PositiveInt("workers", 4), line.NonNegativeInt("seed", 0)).ConfigureAwait(false);
        await output.WriteLineAsync(JsonSerializer.Serialize(new { measure = "seed", storage = Hpo.Storage.StudyStorage.Redact(url), trials = line.PositiveInt("trials"), seconds = watch.Elapsed.TotalSeconds })).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Runs <c>viz</c>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        var line = new CommandLine("viz", args, "storage", "study", "repeats", "chromium");
        string url = line.String("storage");
        string study = line.String("study");
        int repeats = line.PositiveInt("repeats", 3);
        string shown = Hpo.Storage.StudyStorage.Redact(url);
        await using IStudyStorage storage = StorageRegistry.Default.Open(url);

        async Task Emit(string measure, IEnumerable<double> ms, object? extra = null)
        {
            double[] sorted = [.. ms.Order()];
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                measure,
                storage = shown,
                study,
                median_ms = Math.Round(sorted[sorted.Length / 2], 1),
                max_ms = Math.Round(sorted[^1], 1),
                runs = sorted.Length,
                load = LoadAverage(),
                extra,
            })).ConfigureAwait(false);
        }

        // Reading the study, and the report end to end.
        var load = new List<double>();
        var report = new List<double>();
        int trials = 0;
        long bytes = 0;
        string file = Path.Combine(Path.GetTempPath(), $"hpo-viz-bench-{Environment.ProcessId}.html");
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            StudyData data = await StudyData.LoadAsync(storage, study).ConfigureAwait(false);
            load.Add(watch.Elapsed.TotalMilliseconds);
            await StudyReport.SaveAsync(data, file).ConfigureAwait(false);
            report.Add(watch.Elapsed.TotalMilliseconds);
            trials = data.Trials.Count;
            bytes = new FileInfo(file).Length;
        }

        File.Delete(file);
        await Emit("read_study", load, new { trials }).ConfigureAwait(false);
        await Emit("report_total", report, new { trials, bytes }).ConfigureAwait(false);

        // The dashboard: a cold server (its first answers read the whole study), then a warm one.
        var cold = new List<double>();
        var coldPage = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            await using DashboardServer server = await DashboardServer.StartAsync(storage, new DashboardOptions { Urls = "http://127.0.0.1:0", PreloadStudies = false }).ConfigureAwait(false);
            using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };
            var watch = Stopwatch.StartNew();
            (await http.GetAsync(new Uri($"/api/studies/{Uri.EscapeDataString(study)}", UriKind.Relative)).ConfigureAwait(false)).EnsureSuccessStatusCode();
            cold.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            (await http.GetAsync(new Uri($"/api/studies/{Uri.EscapeDataString(study)}/trials?limit=50&order=desc", UriKind.Relative)).ConfigureAwait(false)).EnsureSuccessStatusCode();
            coldPage.Add(watch.Elapsed.TotalMilliseconds);
        }

        await Emit("dashboard_cold_summary", cold).ConfigureAwait(false);
        await Emit("dashboard_cold_first_page", coldPage).ConfigureAwait(false);

        await using (DashboardServer server = await DashboardServer.StartAsync(storage, new DashboardOptions { Urls = "http://127.0.0.1:0" }).ConfigureAwait(false))
        {
            using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };
            string baseUrl = $"/api/studies/{Uri.EscapeDataString(study)}";
            await WaitUntilLoadedAsync(http, baseUrl).ConfigureAwait(false);
            foreach ((string name, string query) in new[]
            {
                ("dashboard_page_by_number", "/trials?limit=50&offset=5000"),
                ("dashboard_page_sorted_by_value", "/trials?limit=50&sort=value&order=asc&offset=100"),
                ("dashboard_page_sorted_by_param", "/trials?limit=50&sort=param:lr&order=desc"),
                ("dashboard_page_filtered_state_text", "/trials?limit=50&state=complete&q=host-1"),
                ("dashboard_plot_history_svg", "/plots/history.svg"),
                ("dashboard_plot_importance_svg", "/plots/importance.svg"),
                ("dashboard_studies_list", string.Empty),
            })
            {
                var times = new List<double>();
                for (int i = 0; i < repeats; i++)
                {
                    var watch = Stopwatch.StartNew();
                    Uri target = new(name == "dashboard_studies_list" ? "/api/studies" : baseUrl + query, UriKind.Relative);
                    (await http.GetAsync(target).ConfigureAwait(false)).EnsureSuccessStatusCode();
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }

                await Emit(name, times, new { first_ms = Math.Round(times[0], 1) }).ConfigureAwait(false);
            }
        }

        if (line.Has("chromium"))
        {
            await FirstPaintAsync(storage, study, line.String("chromium"), repeats, Emit).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task FirstPaintAsync(IStudyStorage storage, string study, string chromium, int repeats, Func<string, IEnumerable<double>, object?, Task> emit)
    {
        using IPlaywright playwright = await Playwright.CreateAsync().ConfigureAwait(false);
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu"],
        }).ConfigureAwait(false);
        var cold = new List<double>();
        var warm = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            await using DashboardServer server = await DashboardServer.StartAsync(storage, new DashboardOptions { Urls = "http://127.0.0.1:0", PreloadStudies = false }).ConfigureAwait(false);
            IPage page = await browser.NewPageAsync().ConfigureAwait(false);
            string target = $"{server.Urls[0]}/#/study/{Uri.EscapeDataString(study)}";
            foreach (List<double> into in new[] { cold, warm })
            {
                if (into == warm)
                {
                    // Warm: the server has finished reading the study the cold paint asked for.
                    using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };
                    await WaitUntilLoadedAsync(http, $"/api/studies/{Uri.EscapeDataString(study)}").ConfigureAwait(false);
                }

                var watch = Stopwatch.StartNew();
                await page.GotoAsync(target).ConfigureAwait(false);
                if (into == warm)
                {
                    await page.ReloadAsync().ConfigureAwait(false);
                }

                await page.WaitForSelectorAsync("#trial-table tbody tr").ConfigureAwait(false);
                await page.WaitForFunctionAsync("document.getElementById('count-total') && document.getElementById('count-total').textContent.length > 0").ConfigureAwait(false);
                into.Add(watch.Elapsed.TotalMilliseconds);
            }

            await page.CloseAsync().ConfigureAwait(false);
        }

        await emit("dashboard_first_paint_cold_chromium", cold, null).ConfigureAwait(false);
        await emit("dashboard_first_paint_warm_chromium", warm, null).ConfigureAwait(false);
    }

    /// <summary>Waits until the dashboard answers from its full view of the study (not from the storage's quick queries).</summary>
    private static async Task WaitUntilLoadedAsync(HttpClient http, string summaryPath)
    {
        for (int i = 0; i < 1200; i++)
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(summaryPath, UriKind.Relative)).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            if (!body.RootElement.GetProperty("loading").GetBoolean())
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"The dashboard did not finish reading the study within 2 minutes ({summaryPath}).");
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
