using Hpo.Registries;
using Hpo.Storage;

namespace Hpo.Dashboard.Tests;

/// <summary>The dashboard copies its options when it starts: the caller's object is never read again.</summary>
public sealed class DashboardOptionsTests(SyntheticDatabase db) : IClassFixture<SyntheticDatabase>
{
    [Fact]
    public async Task StartAsync_CallerChangesTheOptionsAfterwards_TheRunningDashboardKeepsItsCopy()
    {
        var options = new DashboardOptions { Urls = "http://127.0.0.1:0", MaxPageSize = 2, PreloadStudies = false, WarmUp = false, StorageDisplayName = "kept-name" };
        IStudyStorage storage = StorageRegistry.Default.Open(db.Url);
        DashboardServer server = await DashboardServer.StartAsync(storage, options);
        try
        {
            options.MaxPageSize = 10_000;
            options.StorageDisplayName = "changed-name";
            using var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };

            using HttpResponseMessage tooMany = await http.GetAsync(new Uri($"/api/studies/{SyntheticDatabase.Study}/trials?limit=3", UriKind.Relative));
            using HttpResponseMessage allowed = await http.GetAsync(new Uri($"/api/studies/{SyntheticDatabase.Study}/trials?limit=2", UriKind.Relative));
            string page = await http.GetStringAsync(new Uri("/", UriKind.Relative));

            Assert.Equal(400, (int)tooMany.StatusCode);
            Assert.Contains("from 1 to 2", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(allowed.IsSuccessStatusCode);
            Assert.Contains("kept-name", page, StringComparison.Ordinal);
            Assert.DoesNotContain("changed-name", page, StringComparison.Ordinal);
        }
        finally
        {
            await server.DisposeAsync();
            await storage.DisposeAsync();
        }
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ListsEveryProblem()
    {
        var options = new DashboardOptions { Urls = " ", RefreshInterval = TimeSpan.Zero, MaxPageSize = 0 };
        await using var storage = new Hpo.Storage.InMemory.InMemoryStudyStorage();

        ArgumentException e = await Assert.ThrowsAnyAsync<ArgumentException>(() => DashboardServer.StartAsync(storage, options));

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'DashboardOptions' are invalid.", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("Urls", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("RefreshInterval", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("MaxPageSize", StringComparison.Ordinal));
    }
}
