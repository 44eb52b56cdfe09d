using System.Globalization;
using System.Text.Json;
using Hpo.Storage;
using Hpo.Tests.Shared;
using Microsoft.Playwright;
using Hpo.Registries;

namespace Hpo.Dashboard.Tests;

/// <summary>The dashboard's interactive plot and range filters in headless Chromium, with every non-loopback request refused.</summary>
public sealed class DashboardInteractiveTests(SyntheticDatabase db, ChromiumFixture browser) : IClassFixture<SyntheticDatabase>, IClassFixture<ChromiumFixture>
{
    private readonly Chromium chromium = browser.Chromium;

    [Fact]
    public async Task Plot_HoverShowsTheTrial_WheelZooms_ClickOpensTheTrial_RangeFilterFiltersTheTable()
    {
        await using RunningDashboard d = await RunningDashboard.StartAsync(StorageRegistry.Default.Open(db.Url));
        IBrowserContext context = await chromium.Browser.NewContextAsync();
        var external = new List<string>();
        await context.RouteAsync("**/*", async route =>
        {
            if (!route.Request.Url.StartsWith(d.Server.Urls[0], StringComparison.Ordinal))
            {
                lock (external)
                {
                    external.Add(route.Request.Url);
                }

                await route.AbortAsync();
                return;
            }

            await route.ContinueAsync();
        });
        (IPage page, List<string> errors) = await chromium.NewPageAsync(context);

        await page.GotoAsync($"{d.Server.Urls[0]}/#/study/{SyntheticDatabase.Study}");
        await page.WaitForSelectorAsync("#plot-live svg circle");

        // Hover a point: the tooltip names that trial and shows its value, as the API has it.
        ILocator circle = page.Locator("#plot-live svg circle").Nth(7);
        int number = int.Parse((await circle.GetAttributeAsync("data-number"))!, CultureInfo.InvariantCulture);
        await circle.HoverAsync(new LocatorHoverOptions { Force = true });
        await page.WaitForFunctionAsync("!document.querySelector('#plot-live .hpo-tip').hidden");
        JsonElement trial = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}/trials/{number}");
        Assert.Equal(number.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#plot-live .hpo-tip", "data-number"));
        Assert.Equal(trial.GetProperty("values")[0].GetDouble(), double.Parse((await page.GetAttributeAsync("#plot-live .hpo-tip", "data-value"))!, CultureInfo.InvariantCulture));
        Assert.Contains($"Trial {number}", await page.InnerTextAsync("#plot-live .hpo-tip"), StringComparison.Ordinal);
        Assert.Contains("lr = " + trial.GetProperty("parameters").GetProperty("lr").GetString(), await page.InnerTextAsync("#plot-live .hpo-tip"), StringComparison.Ordinal);

        // The wheel zooms in: the x axis's range narrows.
        double before = await page.EvaluateAsync<double>("(() => { const s = document.querySelector('#plot-live svg'); return s.dataset.xmax - s.dataset.xmin; })()");
        LocatorBoundingBoxResult box = (await page.Locator("#plot-live svg").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + (box.Width / 2), box.Y + (box.Height / 2));
        // The page re-renders the plot once when the dashboard's first full read of the study lands (a new version); the
        // re-render keeps a zoomed view, but a wheel sent while the old plot was being replaced is lost: wheel again then (bounded).
        string narrowed = $"(() => {{ const s = document.querySelector('#plot-live svg'); return s.dataset.xmax - s.dataset.xmin < {before.ToString("R", CultureInfo.InvariantCulture)}; }})()";
        for (int attempt = 1; ; attempt++)
        {
            // Sent to the plot itself: at the cursor the hover tooltip of the step above can lie over the plot and take the wheel.
            await page.EvaluateAsync(
                "p => { const s = document.querySelector('#plot-live svg'); const r = s.getBoundingClientRect(); s.dispatchEvent(new WheelEvent('wheel', { deltaY: -300, clientX: r.left + r.width * p, clientY: r.top + r.height / 2, bubbles: true, cancelable: true })); }",
                0.5);
            try
            {
                await page.WaitForFunctionAsync(narrowed, null, new PageWaitForFunctionOptions { Timeout = 5_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 4)
            {
            }
        }
        await page.DblClickAsync("#plot-live svg", new PageDblClickOptions { Position = new Position { X = 5, Y = 5 } });

        // A click on a point opens its trial.
        circle = page.Locator("#plot-live svg circle").Nth(3);
        number = int.Parse((await circle.GetAttributeAsync("data-number"))!, CultureInfo.InvariantCulture);
        await circle.ClickAsync(new LocatorClickOptions { Force = true });
        await page.WaitForFunctionAsync($"location.hash.endsWith('/trial/{number}')");
        await page.WaitForFunctionAsync($"document.querySelector('#detail h3') && document.querySelector('#detail h3').textContent.startsWith('Trial {number} ')");

        // A range filter on the value: the server sends only trials inside it.
        await page.FillAsync("#range-value-max", "0.5");
        await page.WaitForFunctionAsync("Array.from(document.querySelectorAll('#trial-table tbody tr td:nth-child(3)')).every(td => td.dataset.value !== undefined && Number(td.dataset.value) <= 0.5)");
        JsonElement filtered = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}/trials?value=..0.5");
        await page.WaitForFunctionAsync($"document.getElementById('trials-matched').dataset.matched === '{filtered.GetProperty("matched").GetInt32()}'");

        Assert.Empty(external);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
