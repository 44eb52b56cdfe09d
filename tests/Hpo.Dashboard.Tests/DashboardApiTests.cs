using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Hpo.Storage;
using Hpo.Tests.Shared;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Dashboard.Tests;

/// <summary>The JSON API over real HTTP, on a real SQLite file, checked against the storage API.</summary>
public sealed class DashboardApiTests(SyntheticDatabase db) : IClassFixture<SyntheticDatabase>
{
    private async Task<(RunningDashboard Dashboard, StudyRecord Study, IReadOnlyList<TrialRecord> Trials)> StartAsync()
    {
        IStudyStorage storage = StorageRegistry.Default.Open(db.Url);
        StudyRecord study = (await storage.GetStudyAsync(SyntheticDatabase.Study, default))!;
        IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, default);
        return (await RunningDashboard.StartAsync(storage), study, trials);
    }

    [Fact]
    public async Task Studies_ListsEveryStudyWithTheStoragesCountsAndBest()
    {
        (RunningDashboard d, StudyRecord study, IReadOnlyList<TrialRecord> _) = await StartAsync();
        await using RunningDashboard running = d;
        TrialCounts counts = await d.Storage.GetTrialCountsAsync(study.Id, default);
        TrialRecord best = (await d.Storage.GetBestTrialAsync(study.Id, default))!;

        JsonElement body = await d.GetJsonAsync("/api/studies");

        JsonElement item = body.GetProperty("studies").EnumerateArray().Single(s => s.GetProperty("name").GetString() == SyntheticDatabase.Study);
        Assert.Equal(counts.Total, item.GetProperty("counts").GetProperty("total").GetInt32());
        Assert.Equal(counts.Stale, item.GetProperty("counts").GetProperty("stale").GetInt32());
        Assert.Equal(best.Number, item.GetProperty("best").GetProperty("number").GetInt32());
        Assert.Equal(best.Value, item.GetProperty("best").GetProperty("value").GetDouble());
        Assert.Contains(body.GetProperty("studies").EnumerateArray(), s => s.GetProperty("name").GetString() == "empty" && s.GetProperty("best").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task Summary_MatchesTheStorage()
    {
        (RunningDashboard d, StudyRecord study, IReadOnlyList<TrialRecord> trials) = await StartAsync();
        await using RunningDashboard running = d;
        TrialRecord best = (await d.Storage.GetBestTrialAsync(study.Id, default))!;

        JsonElement s = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}");

        Assert.Equal(trials.Count, s.GetProperty("counts").GetProperty("total").GetInt32());
        Assert.Equal(trials.Count(t => t.State == TrialState.Pruned), s.GetProperty("counts").GetProperty("pruned").GetInt32());
        Assert.Equal(best.Number, s.GetProperty("best").GetProperty("number").GetInt32());
        Assert.Equal(["lr", "units", "optimizer", "momentum"], s.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("optimizer in [\"sgd\"]", s.GetProperty("parameters")[3].GetProperty("condition").GetString());
        Assert.Equal(1, s.GetProperty("settings").GetProperty("maxRetries").GetInt32());
    }

    [Fact]
    public async Task Trials_PagesSortsAndFiltersOnTheServer()
    {
        (RunningDashboard d, StudyRecord study, IReadOnlyList<TrialRecord> trials) = await StartAsync();
        await using RunningDashboard running = d;
        string path = $"/api/studies/{SyntheticDatabase.Study}/trials";

        JsonElement page = await d.GetJsonAsync(path + "?offset=10&limit=25");
        Assert.Equal(trials.Count, page.GetProperty("total").GetInt32());
        Assert.Equal(Enumerable.Range(10, 25), page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));

        JsonElement byValue = await d.GetJsonAsync(path + "?sort=value&order=asc&limit=5");
        double[] expected = [.. trials.Where(t => t.Value is not null).Select(t => t.Value!.Value).Order().Take(5)];
        Assert.Equal(expected, byValue.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("value").GetDouble()));

        JsonElement stale = await d.GetJsonAsync(path + "?state=stale&limit=500");
        Assert.Equal(trials.Count(t => t.State == TrialState.Stale), stale.GetProperty("matched").GetInt32());
        Assert.All(stale.GetProperty("rows").EnumerateArray(), r => Assert.Equal("stale", r.GetProperty("state").GetString()));

        JsonElement host = await d.GetJsonAsync(path + "?q=host-2&state=complete,pruned&limit=500");
        Assert.Equal(trials.Count(t => t.Owner!.Contains("host-2", StringComparison.Ordinal) && t.State is TrialState.Complete or TrialState.Pruned), host.GetProperty("matched").GetInt32());

        // Sorting by a conditional parameter puts the trials without it last, either way.
        JsonElement momentum = await d.GetJsonAsync(path + "?sort=param:momentum&order=desc&limit=500&offset=0");
        JsonElement[] rows = [.. momentum.GetProperty("rows").EnumerateArray()];
        int firstAbsent = Array.FindIndex(rows, r => !r.GetProperty("parameters").TryGetProperty("momentum", out _));
        Assert.True(firstAbsent > 0);
        Assert.All(rows[firstAbsent..], r => Assert.False(r.GetProperty("parameters").TryGetProperty("momentum", out _)));
        double[] present = [.. rows[..firstAbsent].Select(r => double.Parse(r.GetProperty("parameters").GetProperty("momentum").GetString()!, CultureInfo.InvariantCulture))];
        Assert.Equal(present.OrderDescending(), present);
    }

    [Fact]
    public async Task TrialDetail_HasIntermediateValuesAttributesAndLogTail()
    {
        string url = "sqlite:///" + Path.Combine(db.Folder, "detail.db");
        IStudyStorage storage = StorageRegistry.Default.Open(url);
        StudyRecord study = await storage.CreateStudyAsync(new StudyDefinition { Name = "d", SearchSpace = SyntheticStudy.Space, Directions = [Hpo.StudyDirection.Minimize], TunerName = "random", Seed = 0 }, default);
        TrialRecord t = (await storage.StartTrialAsync(study.Id, "w", default))!;
        await storage.SetTrialParametersAsync(t.Id, new Dictionary<string, object> { ["lr"] = 0.01, ["units"] = 16L, ["optimizer"] = "adam" }, default);
        await storage.ReportIntermediateValueAsync(t.Id, 1, 0.5, default);
        await storage.ReportIntermediateValueAsync(t.Id, 2, 0.25, default);
        await storage.SetTrialUserAttributeAsync(t.Id, "dataset", "iris", default);
        await storage.SetTrialUserAttributeAsync(t.Id, Execution.TrialProtocol.LogTailAttribute, "epoch 1\nepoch 2\n", default);
        await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Failed, [], "CUDA out of memory", "System.OutOfMemoryException"), default);
        await using RunningDashboard d = await RunningDashboard.StartAsync(storage);

        JsonElement detail = await d.GetJsonAsync("/api/studies/d/trials/0");

        Assert.Equal([(1L, 0.5), (2L, 0.25)], detail.GetProperty("intermediateValues").EnumerateArray().Select(x => (x.GetProperty("step").GetInt64(), x.GetProperty("value").GetDouble())));
        Assert.Equal("iris", detail.GetProperty("userAttributes").GetProperty("dataset").GetString());
        Assert.False(detail.GetProperty("userAttributes").TryGetProperty(Execution.TrialProtocol.LogTailAttribute, out _));
        Assert.Equal("epoch 1\nepoch 2\n", detail.GetProperty("logTail").GetString());
        Assert.Equal("CUDA out of memory", detail.GetProperty("failReason").GetString());
        Assert.Equal("failed", detail.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("/api/studies/nope", 404, "There is no study named 'nope'.")]
    [InlineData("/api/studies/nope/trials", 404, "There is no study named 'nope'.")]
    [InlineData("/api/studies/synthetic/trials/99999", 404, "has no trial number 99999")]
    [InlineData("/api/studies/synthetic/trials?sort=colour", 400, "Query parameter 'sort' must be one of number, state, value, duration, started, finished, owner or param:NAME with NAME one of lr, units, optimizer, momentum, but got 'colour'.")]
    [InlineData("/api/studies/synthetic/trials?limit=100000", 400, "Query parameter 'limit' must be an integer from 1 to 500, but got '100000'.")]
    [InlineData("/api/studies/synthetic/trials?state=lost", 400, "Query parameter 'state' must be a comma-separated list of waiting, running, complete, pruned, failed, stale, but got 'lost'.")]
    [InlineData("/api/studies/synthetic/trials?order=up", 400, "Query parameter 'order' must be asc or desc, but got 'up'.")]
    [InlineData("/api/studies/synthetic/plots/pie.svg", 400, "The plot kind must be one of history, importance, slice, parallel-coordinates, contour, intermediate, timeline, but got 'pie'.")]
    [InlineData("/api/studies/synthetic/plots/slice.svg?param=nope", 400, "has no parameter 'nope'")]
    public async Task BadRequests_AreAnsweredWithTheRuleAndTheValue(string path, int status, string message)
    {
        (RunningDashboard d, StudyRecord _, IReadOnlyList<TrialRecord> _) = await StartAsync();
        await using RunningDashboard running = d;

        (int actual, string error) = await d.GetErrorAsync(path);

        Assert.Equal(status, actual);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_AreNotAccepted()
    {
        (RunningDashboard d, StudyRecord _, IReadOnlyList<TrialRecord> _) = await StartAsync();
        await using RunningDashboard running = d;

        foreach (HttpMethod method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
        {
            using var request = new HttpRequestMessage(method, new Uri("/api/studies/synthetic", UriKind.Relative));
            using HttpResponseMessage response = await d.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("history")]
    [InlineData("importance")]
    [InlineData("slice")]
    [InlineData("parallel-coordinates")]
    [InlineData("contour")]
    [InlineData("intermediate")]
    [InlineData("timeline")]
    public async Task Plots_AreWellFormedSvg(string kind)
    {
        (RunningDashboard d, StudyRecord _, IReadOnlyList<TrialRecord> _) = await StartAsync();
        await using RunningDashboard running = d;

        using HttpResponseMessage response = await d.Http.GetAsync(new Uri($"/api/studies/synthetic/plots/{kind}.svg?param=momentum&param2=lr", UriKind.Relative));
        string svg = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("svg", XDocument.Parse(svg).Root!.Name.LocalName);
        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_SendANewVersionWhenAnotherWriterAddsTrials()
    {
        string url = "sqlite:///" + Path.Combine(db.Folder, "live.db");
        IStudyStorage storage = StorageRegistry.Default.Open(url);
        StudyRecord study = await SyntheticStudy.CreateAsync(storage, "live", 10, workers: 1);
        await using RunningDashboard d = await RunningDashboard.StartAsync(storage);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using HttpResponseMessage response = await d.Http.GetAsync(new Uri("/api/studies/live/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        JsonElement first = await NextVersionAsync(reader, cts.Token);
        Assert.Equal(10, first.GetProperty("counts").GetProperty("complete").GetInt32() + first.GetProperty("counts").GetProperty("pruned").GetInt32() + first.GetProperty("counts").GetProperty("failed").GetInt32());

        // Another connection to the same file, as another process would write.
        await using (IStudyStorage writer = StorageRegistry.Default.Open(url))
        {
            await SyntheticStudy.AddTrialsAsync(writer, study, 15, workers: 1, seed: 3);
        }

        JsonElement next = await NextVersionAsync(reader, cts.Token);
        while (next.GetProperty("counts").GetProperty("total").GetInt32() < first.GetProperty("counts").GetProperty("total").GetInt32() + 15)
        {
            next = await NextVersionAsync(reader, cts.Token);
        }

        Assert.True(next.GetProperty("version").GetInt64() > first.GetProperty("version").GetInt64());
    }

    private static async Task<JsonElement> NextVersionAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? eventName = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "version")
            {
                return JsonDocument.Parse(line[6..]).RootElement.Clone();
            }
        }

        throw new EndOfStreamException("The event stream ended.");
    }

    [Fact]
    public async Task Password_NeverAppearsInThePageOrInErrors()
    {
        // A PostgreSQL storage whose server does not answer (port 1), with a password in its URL.
        const string secret = "Sup3rSecretPw";
        string url = $"postgresql://hpo:{secret}@127.0.0.1:1/studies";
        var storage = new PostgreSql.PostgreSqlStudyStorage(new PostgreSql.PostgreSqlStudyStorageOptions { ConnectionString = url, TransientRetryTimeout = TimeSpan.FromMilliseconds(200) });
        await using RunningDashboard d = await RunningDashboard.StartAsync(storage, displayName: url);

        string page = await d.Http.GetStringAsync(new Uri("/", UriKind.Relative));
        (int status, string error) = await d.GetErrorAsync("/api/studies");

        Assert.DoesNotContain(secret, page, StringComparison.Ordinal);
        Assert.Contains("postgresql://hpo:***@127.0.0.1:1/studies", page, StringComparison.Ordinal);
        Assert.Equal(503, status);
        Assert.DoesNotContain(secret, error, StringComparison.Ordinal);
        Assert.StartsWith("The storage could not be read", error, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultUrls_AreLoopback()
    {
        var uri = new Uri(DashboardOptions.DefaultUrls);

        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(uri.Host)));
    }
}
