using System.Globalization;
using System.Text.Json;
using Hpo.Storage;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Dashboard.Tests;

/// <summary>The trials API's range and choice filters, over real HTTP on a real SQLite file, checked against the trials read back.</summary>
public sealed class DashboardFilterTests(SyntheticDatabase db) : IClassFixture<SyntheticDatabase>
{
    private async Task<(RunningDashboard Dashboard, IReadOnlyList<TrialRecord> Trials)> StartAsync(bool waitForView)
    {
        IStudyStorage storage = StorageRegistry.Default.Open(db.Url);
        StudyRecord study = (await storage.GetStudyAsync(SyntheticDatabase.Study, default))!;
        IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, default);
        RunningDashboard d = await RunningDashboard.StartAsync(storage);
        if (waitForView)
        {
            // The same queries answered from the dashboard's view in memory rather than by the storage's SQL.
            for (int i = 0; i < 200 && (await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}")).GetProperty("loading").GetBoolean(); i++)
            {
                await Task.Delay(50);
            }
        }

        return (d, trials);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Trials_RangeAndChoiceFilters_KeepExactlyTheTrialsInside(bool fromView)
    {
        (RunningDashboard d, IReadOnlyList<TrialRecord> trials) = await StartAsync(fromView);
        await using RunningDashboard running = d;
        string path = $"/api/studies/{SyntheticDatabase.Study}/trials?limit=500";
        double[] values = [.. trials.Where(t => t.Value is double v && double.IsFinite(v)).Select(t => t.Value!.Value).Order()];
        double cut = values[values.Length / 3];
        string c = cut.ToString("R", CultureInfo.InvariantCulture);

        JsonElement low = await d.GetJsonAsync($"{path}&value=..{c}&state=complete");
        JsonElement lr = await d.GetJsonAsync($"{path}&param:lr=1e-4..1e-3&param:units=100..");
        JsonElement sgd = await d.GetJsonAsync($"{path}&param:optimizer=sgd&param:momentum=0.5..&sort=param:momentum");

        Assert.Equal(trials.Count(t => t.State == TrialState.Complete && t.Value <= cut), low.GetProperty("matched").GetInt32());
        Assert.All(low.GetProperty("rows").EnumerateArray(), r => Assert.True(r.GetProperty("value").GetDouble() <= cut));
        Assert.Equal(
            trials.Count(t => t.Parameters.TryGetValue("lr", out object? x) && (double)x >= 1e-4 && (double)x <= 1e-3 && (long)t.Parameters["units"] >= 100),
            lr.GetProperty("matched").GetInt32());
        int expected = trials.Count(t => t.Parameters.TryGetValue("momentum", out object? m) && (double)m >= 0.5);
        Assert.True(expected > 0);
        Assert.Equal(expected, sgd.GetProperty("matched").GetInt32());
        double[] momentum = [.. sgd.GetProperty("rows").EnumerateArray().Select(r => double.Parse(r.GetProperty("parameters").GetProperty("momentum").GetString()!, CultureInfo.InvariantCulture))];
        Assert.Equal(momentum.Order(), momentum);
    }

    [Theory]
    [InlineData("value=abc", "Filter 'value' must be a range MIN..MAX, MIN.. or ..MAX of numbers (invariant culture, e.g. 0.1..0.5), but got 'abc'.")]
    [InlineData("duration=5..1", "Filter 'duration' must have min <= max, but got min=5, max=1.")]
    [InlineData("param:lr=x..1", "Filter 'param:lr' must be a range MIN..MAX of finite numbers (invariant culture, e.g. 0.1..0.5), but 'x' in 'x..1' is not one.")]
    [InlineData("param:colour=1..2", "Query parameter 'param:colour' must name one of the study's parameters (lr, units, optimizer, momentum), but 'colour' is not one.")]
    [InlineData("param:optimizer=rmsprop", "Query parameter 'param:optimizer' must be a comma-separated list of sgd, adam, but got 'rmsprop'.")]
    [InlineData("valeu=1..2", "Query parameter 'valeu' is not known")]
    public async Task Trials_BadFilter_Is400NamingTheField(string query, string message)
    {
        (RunningDashboard d, IReadOnlyList<TrialRecord> _) = await StartAsync(waitForView: false);
        await using RunningDashboard running = d;

        (int status, string error) = await d.GetErrorAsync($"/api/studies/{SyntheticDatabase.Study}/trials?{query}");

        Assert.Equal(400, status);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InteractivePlotData_HistoryHasEveryCompleteTrialAndTheBestSoFar()
    {
        (RunningDashboard d, IReadOnlyList<TrialRecord> trials) = await StartAsync(waitForView: false);
        await using RunningDashboard running = d;

        JsonElement history = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}/plots/history.json");
        (int status, string error) = await d.GetErrorAsync($"/api/studies/{SyntheticDatabase.Study}/plots/timeline.json");

        TrialRecord[] complete = [.. trials.Where(t => t.State == TrialState.Complete)];
        Assert.Equal(complete.Select(t => t.Number), history.GetProperty("points").EnumerateArray().Select(p => p[2].GetInt32()));
        Assert.Equal(complete.Select(t => t.Value!.Value), history.GetProperty("points").EnumerateArray().Select(p => p[1].GetDouble()));
        Assert.Equal(complete.Min(t => t.Value!.Value), history.GetProperty("best").EnumerateArray().Last()[1].GetDouble());
        Assert.Equal(400, status);
        Assert.Contains("must be history or slice", error, StringComparison.Ordinal);
    }
}
