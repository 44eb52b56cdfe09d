using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hpo.Testing;

namespace Hpo.Dashboard.Tests;

/// <summary><c>hpo dashboard</c> as a real process: it serves on loopback, hides the password, and stops cleanly on SIGTERM.</summary>
public sealed partial class DashboardCommandTests(SyntheticDatabase db) : IClassFixture<SyntheticDatabase>
{
    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    [Fact]
    public async Task Dashboard_ServesOnLoopbackAndStopsCleanlyOnSigterm()
    {
        using var tool = HpoToolProcess.Start(["dashboard", "--storage", db.Url, "--urls", "http://127.0.0.1:0", "--format", "json"]);
        string address = await tool.WaitForErrorAsync(Listening(), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        JsonElement studies = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/studies", UriKind.Relative));
        Assert.Contains(studies.GetProperty("studies").EnumerateArray(), s => s.GetProperty("name").GetString() == SyntheticDatabase.Study);

        tool.Terminate();
        int exit = await tool.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, tool.Describe());
        Assert.Contains("\"dashboard\":\"stopped\"", tool.Output.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_NeverPrintsOrServesThePassword()
    {
        const string secret = "NotForYourEyes42";
        using var tool = HpoToolProcess.Start(["dashboard", "--storage", $"postgresql://hpo:{secret}@127.0.0.1:1/studies", "--urls", "http://127.0.0.1:0"]);
        string address = await tool.WaitForErrorAsync(Listening(), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        string page = await http.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.DoesNotContain(secret, page, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, tool.Error, StringComparison.Ordinal);
        Assert.Contains("hpo:***@127.0.0.1:1", tool.Error, StringComparison.Ordinal);
    }
}
