using System.Globalization;
using Hpo.Registries;
using Hpo.Storage;
using Hpo.Tests.Shared;
using Hpo.Trials;
using Microsoft.Playwright;

namespace Hpo.Dashboard.Tests;

/// <summary>A zoomed live plot in headless Chromium while another connection adds trials: the page re-draws the new trials in the user's view.</summary>
public sealed class DashboardLiveZoomTests(SyntheticDatabase db, ChromiumFixture browser) : IClassFixture<SyntheticDatabase>, IClassFixture<ChromiumFixture>
{
    private const string ViewScript = "(() => { const s = document.querySelector('#plot-live svg'); return [Number(s.dataset.xmin), Number(s.dataset.xmax), Number(s.dataset.ymin), Number(s.dataset.ymax)]; })()";

    private readonly Chromium chromium = browser.Chromium;

    [Fact]
    public async Task LiveRedraw_KeepsTheUsersZoom_AndDrawsTheNewTrials_UntilDoubleClickResets()
    {
        string url = "sqlite:///" + Path.Combine(db.Folder, "zoom.db");
        IStudyStorage storage = StorageRegistry.Default.Open(url);
        StudyRecord study = await SyntheticStudy.CreateAsync(storage, "zoom", 20, workers: 1, seed: 5);
        await using RunningDashboard d = await RunningDashboard.StartAsync(storage);
        (IPage page, List<string> errors) = await chromium.NewPageAsync();

        await page.GotoAsync($"{d.Server.Urls[0]}/#/study/zoom");
        await page.WaitForSelectorAsync("#plot-live svg circle");
        double[] home = await page.EvaluateAsync<double[]>(ViewScript);

        // Zoom in with the wheel, sent to the plot itself.
        await page.EvaluateAsync(
            "() => { const s = document.querySelector('#plot-live svg'); const r = s.getBoundingClientRect(); s.dispatchEvent(new WheelEvent('wheel', { deltaY: -300, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true })); }");
        await page.WaitForFunctionAsync("document.querySelector('#plot-live svg').dataset.zoomed === 'true'");
        double[] zoomed = await page.EvaluateAsync<double[]>(ViewScript);
        Assert.True(zoomed[1] - zoomed[0] < home[1] - home[0], $"the wheel did not narrow the x range ({home[0]}..{home[1]} -> {zoomed[0]}..{zoomed[1]})");
        await page.EvaluateAsync("window.__zoomedPlot = document.querySelector('#plot-live svg')");

        // Another connection adds trials, as another process would.
        await using (IStudyStorage writer = StorageRegistry.Default.Open(url))
        {
            await SyntheticStudy.AddTrialsAsync(writer, study, 15, workers: 1, seed: 6);
        }

        // The plot is re-drawn with every complete trial (its note counts them), in the zoomed view.
        TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, CancellationToken.None);
        string complete = counts.Complete.ToString(CultureInfo.InvariantCulture);
        await page.WaitForFunctionAsync(
            $"document.querySelector('#plot-live svg') !== window.__zoomedPlot && document.querySelector('#plot-live .hpo-plot-note').textContent.startsWith('{complete} trials')",
            null,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal("true", await page.GetAttributeAsync("#plot-live svg", "data-zoomed"));
        Assert.Equal(zoomed, await page.EvaluateAsync<double[]>(ViewScript));

        // A double-click resets to the whole of the new data, and the next re-draw no longer keeps a zoom.
        await page.DblClickAsync("#plot-live svg", new PageDblClickOptions { Position = new Position { X = 5, Y = 5 } });
        await page.WaitForFunctionAsync("document.querySelector('#plot-live svg').dataset.zoomed === 'false'");
        double[] reset = await page.EvaluateAsync<double[]>(ViewScript);
        Assert.True(reset[1] > zoomed[1] && reset[0] < zoomed[0], $"the reset view {reset[0]}..{reset[1]} does not contain the zoomed one {zoomed[0]}..{zoomed[1]}");
        Assert.True(reset[1] >= home[1], $"the reset view ends at {reset[1]}, before the first view's end {home[1]}, though trials were added");
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
