using System.Globalization;
using System.Text.Json;
using Hpo.Storage;
using Hpo.Testing;
using Hpo.Tests.Shared;
using Microsoft.Playwright;
using Hpo.Registries;

namespace Hpo.Dashboard.Tests;

/// <summary>The dashboard's page in headless Chromium, on loopback.</summary>
public sealed class DashboardBrowserTests(SyntheticDatabase db, ChromiumFixture browser) : IClassFixture<SyntheticDatabase>, IClassFixture<ChromiumFixture>
{
    private readonly Chromium chromium = browser.Chromium;

    [Fact]
    public async Task Page_ShowsTheApiNumbersTableAndTrialDetailWithoutErrors()
    {
        await using RunningDashboard d = await RunningDashboard.StartAsync(StorageRegistry.Default.Open(db.Url));
        JsonElement summary = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}");
        (IPage page, List<string> errors) = await chromium.NewPageAsync();

        await page.GotoAsync($"{d.Server.Urls[0]}/#/study/{SyntheticDatabase.Study}");
        await page.WaitForSelectorAsync("#trial-table tbody tr");
        await page.WaitForSelectorAsync("#count-total");

        Assert.Equal(summary.GetProperty("counts").GetProperty("total").GetInt32().ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#count-total"));
        Assert.Equal(summary.GetProperty("counts").GetProperty("stale").GetInt32().ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#count-stale"));
        Assert.Equal(summary.GetProperty("best").GetProperty("number").GetInt32().ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#best-number"));
        Assert.Equal(50, await page.Locator("#trial-table tbody tr").CountAsync());
        Assert.Contains(SyntheticDatabase.Study, await page.InnerTextAsync("#studies"), StringComparison.Ordinal);

        // The history is drawn by the page's own script; the other plots are SVG images the browser decodes.
        await page.WaitForSelectorAsync("#plot-live svg circle");
        await page.SelectOptionAsync("#plot-kind", "timeline");
        await page.WaitForFunctionAsync("document.getElementById('plot-img').complete && document.getElementById('plot-img').naturalWidth > 0");

        // Sort by value (ascending): the first row is the best trial.
        await page.ClickAsync("#trial-table th[data-sort='value']");
        await page.WaitForFunctionAsync($"document.querySelector('#trial-table tbody tr').dataset.number === '{summary.GetProperty("best").GetProperty("number").GetInt32()}'");

        // A trial's detail: its intermediate values.
        await page.ClickAsync("#trial-table tbody tr:first-child");
        await page.WaitForSelectorAsync("#detail-intermediate");
        Assert.Equal(4, await page.Locator("#detail-intermediate tr").CountAsync());

        // Server-side filter: only stale trials.
        await page.SelectOptionAsync("#trial-state", "stale");
        await page.WaitForFunctionAsync("Array.from(document.querySelectorAll('#trial-table tbody tr td:nth-child(2)')).every(td => td.textContent === 'stale')");
        Assert.Equal(summary.GetProperty("counts").GetProperty("stale").GetInt32().ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#trials-matched", "data-matched"));
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public async Task Page_UpdatesWithoutReloadWhileAWorkerProcessAddsTrials()
    {
        string url = "sqlite:///" + Path.Combine(db.Folder, "worker.db");
        const string study = "worked";
        const int budget = 30;
        using TestWorkerProcess worker = TestWorkerProcess.Run(url, study, budget, seed: 4, lease: TimeSpan.FromSeconds(10), sleep: TimeSpan.FromMilliseconds(150));
        await worker.WaitForOutputAsync("started", TimeSpan.FromSeconds(60));
        await using RunningDashboard d = await RunningDashboard.StartAsync(StorageRegistry.Default.Open(url));
        (IPage page, List<string> errors) = await chromium.NewPageAsync();

        await page.GotoAsync($"{d.Server.Urls[0]}/#/study/{study}");
        await page.WaitForSelectorAsync("#count-total");
        await page.EvaluateAsync("window.__loadedOnce = true");
        int before = int.Parse(await page.InnerTextAsync("#count-complete"), CultureInfo.InvariantCulture);

        await page.WaitForFunctionAsync($"document.getElementById('count-complete').textContent === '{budget}'", null, new PageWaitForFunctionOptions { Timeout = 60_000 });

        Assert.True(before < budget, $"the page was loaded after the worker finished ({before} complete)");
        Assert.True(await page.EvaluateAsync<bool>("window.__loadedOnce === true"), "the page was reloaded");
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await page.WaitForFunctionAsync($"document.getElementById('trials-matched').dataset.total === '{budget}'");
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
