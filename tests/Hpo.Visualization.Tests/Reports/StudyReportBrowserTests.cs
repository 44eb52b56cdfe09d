using System.Globalization;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Tests.Shared;
using Hpo.Trials;
using Hpo.Visualization.Reports;
using Microsoft.Playwright;

namespace Hpo.Visualization.Tests.Reports;

/// <summary>The report opened from a file in headless Chromium with the network cut off.</summary>
public sealed class StudyReportBrowserTests(ChromiumFixture browser) : IClassFixture<ChromiumFixture>, IDisposable
{
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "hpo-report-tests", Guid.NewGuid().ToString("N"))).FullName;
    private readonly Chromium chromium = browser.Chromium;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static async Task<(StudyData Data, TrialRecord Best, TrialCounts Counts)> SyntheticAsync(int trials)
    {
        await using var storage = new InMemoryStudyStorage();
        StudyRecord study = await SyntheticStudy.CreateAsync(storage, "browser", trials, workers: 3, seed: 5);
        StudyData data = await StudyData.LoadAsync(storage, "browser");
        return (data, (await storage.GetBestTrialAsync(study.Id, default))!, await storage.GetTrialCountsAsync(study.Id, default));
    }

    private async Task<(IPage Page, List<string> Errors, List<string> Requests)> OpenOfflineAsync(string html)
    {
        string file = Path.Combine(folder, "report.html");
        await File.WriteAllTextAsync(file, html);
        IBrowserContext context = await chromium.Browser.NewContextAsync();
        await context.SetOfflineAsync(true);
        var requests = new List<string>();
        await context.RouteAsync("**/*", async route =>
        {
            // Only the file itself may load: anything else would be an external resource.
            if (!route.Request.Url.StartsWith("file://", StringComparison.Ordinal))
            {
                lock (requests)
                {
                    requests.Add(route.Request.Url);
                }

                await route.AbortAsync();
                return;
            }

            await route.ContinueAsync();
        });
        (IPage page, List<string> errors) = await chromium.NewPageAsync(context);
        await page.GotoAsync(new Uri(file).AbsoluteUri);
        await page.WaitForLoadStateAsync(LoadState.Load);
        return (page, errors, requests);
    }

    [Fact]
    public async Task Report_InChromiumOffline_RendersPlotsWithoutErrorsAndShowsTheApiNumbers()
    {
        (StudyData data, TrialRecord best, TrialCounts counts) = await SyntheticAsync(300);

        (IPage page, List<string> errors, List<string> requests) = await OpenOfflineAsync(StudyReport.Generate(data));

        Assert.Empty(errors);
        Assert.Empty(requests);
        // Every visible plot is an SVG with drawn content and a real size.
        foreach (string id in new[] { "plot-history", "plot-importance", "plot-parallel", "plot-intermediate", "plot-timeline" })
        {
            float width = await page.EvaluateAsync<float>($"document.querySelector('#{id} svg').getBoundingClientRect().width");
            int shapes = await page.EvaluateAsync<int>($"document.querySelectorAll('#{id} svg path, #{id} svg rect, #{id} svg circle').length");
            Assert.True(width > 200, $"{id} is {width}px wide");
            Assert.True(shapes > 10, $"{id} has {shapes} shapes");
        }

        Assert.Equal(best.Number.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#best-number"));
        Assert.Equal(best.Value!.Value, double.Parse(await page.GetAttributeAsync("#best-value", "data-value") ?? "NaN", CultureInfo.InvariantCulture));
        Assert.Equal(counts.Complete.ToString("N0", CultureInfo.InvariantCulture), await page.InnerTextAsync("#count-complete"));
        Assert.Equal(counts.Stale.ToString("N0", CultureInfo.InvariantCulture), await page.InnerTextAsync("#count-stale"));
        Assert.Equal(counts.Total.ToString("N0", CultureInfo.InvariantCulture), await page.InnerTextAsync("#count-total"));
        Assert.True(counts.Stale > 0 && counts.Pruned > 0 && counts.Failed > 0, counts.ToString());
    }

    [Fact]
    public async Task Report_TableSortAndFilter_WorkInTheBrowser()
    {
        (StudyData data, TrialRecord best, _) = await SyntheticAsync(120);
        (IPage page, List<string> errors, _) = await OpenOfflineAsync(StudyReport.Generate(data));

        // Sort by value, ascending: the first row is the best trial.
        await page.ClickAsync("#trial-table th:nth-child(3)");
        Assert.Equal(best.Number.ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#trial-table tbody tr:first-child td:first-child"));

        // Only failed trials.
        await page.SelectOptionAsync("#trial-state", "failed");
        int visible = await page.EvaluateAsync<int>("Array.from(document.querySelectorAll('#trial-table tbody tr')).filter(r => !r.hidden).length");
        Assert.Equal(data.Counts.Failed, visible);

        // The slice selector shows one parameter at a time.
        await page.SelectOptionAsync("#plot-slice select", "1");
        Assert.Equal(1, await page.EvaluateAsync<int>("Array.from(document.querySelectorAll('#plot-slice .pane')).filter(p => !p.hidden).length"));
        Assert.False(await page.EvaluateAsync<bool>("document.querySelector('#plot-slice .pane[data-index=\"1\"]').hidden"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Report_InteractiveHistory_HoverShowsTheTrial_BrushZooms_ClickPicksItsRow_Offline()
    {
        (StudyData data, TrialRecord best, _) = await SyntheticAsync(200);
        (IPage page, List<string> errors, List<string> requests) = await OpenOfflineAsync(StudyReport.Generate(data));

        // Hover the best trial's point: the tooltip shows its number, value and parameters.
        ILocator point = page.Locator($"#plot-history svg circle[data-number='{best.Number}']");
        await point.HoverAsync(new LocatorHoverOptions { Force = true });
        await page.WaitForFunctionAsync("!document.querySelector('#plot-history .hpo-tip').hidden");
        Assert.Equal(best.Number.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#plot-history .hpo-tip", "data-number"));
        Assert.Equal(best.Value!.Value, double.Parse((await page.GetAttributeAsync("#plot-history .hpo-tip", "data-value"))!, CultureInfo.InvariantCulture));
        string tip = await page.InnerTextAsync("#plot-history .hpo-tip");
        Assert.Contains($"Trial {best.Number}", tip, StringComparison.Ordinal);
        Assert.Contains("optimizer = " + ParameterAxis.Label(best.Parameters["optimizer"]), tip, StringComparison.Ordinal);

        // Drag a rectangle over the left half: the x axis now spans less than before.
        double[] before = await page.EvaluateAsync<double[]>("(() => { const s = document.querySelector('#plot-history svg'); return [Number(s.dataset.xmin), Number(s.dataset.xmax)]; })()");
        await page.EvaluateAsync("document.querySelector('#plot-history svg').scrollIntoView({ block: 'center' })"); // clear of the sticky header
        LocatorBoundingBoxResult box = (await page.Locator("#plot-history svg").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.15f), box.Y + (box.Height * 0.3f));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.35f), box.Y + (box.Height * 0.6f), new MouseMoveOptions { Steps = 5 });
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.5f), box.Y + (box.Height * 0.85f), new MouseMoveOptions { Steps = 5 });
        await page.Mouse.UpAsync();
        double[] after = await page.EvaluateAsync<double[]>("(() => { const s = document.querySelector('#plot-history svg'); return [Number(s.dataset.xmin), Number(s.dataset.xmax)]; })()");
        Assert.True(after[0] > before[0] && after[1] < before[1] && after[1] - after[0] < (before[1] - before[0]) / 2, $"x range {before[0]}..{before[1]} became {after[0]}..{after[1]}");
        int tickCount = await page.EvaluateAsync<int>("document.querySelectorAll('#plot-history svg .x-tick').length");
        Assert.True(tickCount > 1);

        // Double-click resets; a click on the best point shows its row in the trials table.
        await page.Mouse.DblClickAsync(box.X + (box.Width * 0.8f), box.Y + (box.Height * 0.5f));
        // The page answers on its own event loop: wait (bounded) for the reset before reading the range, as a user would see it.
        await page.WaitForFunctionAsync(
            "w => { const s = document.querySelector('#plot-history svg'); return Number(s.dataset.xmax) - Number(s.dataset.xmin) >= w; }",
            (before[1] - before[0]) * 0.999,
            new PageWaitForFunctionOptions { Timeout = 10_000 });
        Assert.Equal(before, await page.EvaluateAsync<double[]>("(() => { const s = document.querySelector('#plot-history svg'); return [Number(s.dataset.xmin), Number(s.dataset.xmax)]; })()"));
        await page.Locator($"#plot-history svg circle[data-number='{best.Number}']").ClickAsync(new LocatorClickOptions { Force = true });
        await page.WaitForSelectorAsync("#trial-table tr.picked", new PageWaitForSelectorOptions { Timeout = 10_000 });
        Assert.Equal(best.Number.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#trial-table tr.picked", "data-number"));

        // A slice plot is interactive too (categorical axis labelled by the choices).
        Assert.Equal(["sgd", "adam"], await page.EvaluateAsync<string[]>("Array.from(document.querySelectorAll('#plot-slice-2 svg .x-tick')).map(t => t.textContent)"));
        Assert.Empty(requests);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Report_EmptyStudy_OpensWithoutErrors()
    {
        var s = new Studies(Studies.XY, name: "empty");
        (IPage page, List<string> errors, _) = await OpenOfflineAsync(StudyReport.Generate(s.Build()));

        Assert.Empty(errors);
        Assert.Equal("No trial is complete yet.", await page.InnerTextAsync("#best-none"));
        Assert.Equal("0", await page.InnerTextAsync("#count-total"));
    }
}
