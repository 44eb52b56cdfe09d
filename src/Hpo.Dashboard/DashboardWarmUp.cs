using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hpo.Dashboard;

/// <summary>
/// The first requests a browser sends, sent by the server to itself once it has started (<see cref="DashboardOptions.WarmUp"/>):
/// the page, the studies list, the first study's summary and one trial. They compile the code on those paths (routing, the JSON
/// shapes, the storage's aggregate and page queries) before a user waits for it. Marked with a header so that they never start
/// the full read of a study (that is <see cref="DashboardOptions.PreloadStudies"/>' decision).
/// </summary>
internal static class DashboardWarmUp
{
    private const string Header = "X-Hpo-Warm-Up";

    public static bool IsWarmUp(HttpRequest request) => request.Headers.ContainsKey(Header);

    public static async Task RunAsync(string baseUrl, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl.Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal)), Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Add(Header, "1");
            await GetAsync(http, "/", cancellationToken).ConfigureAwait(false);
            string list = await GetAsync(http, "/api/studies", cancellationToken).ConfigureAwait(false);
            using JsonDocument doc = JsonDocument.Parse(list);
            if (doc.RootElement.TryGetProperty("studies", out JsonElement studies) && studies.GetArrayLength() > 0
                && studies[0].GetProperty("name").GetString() is { } first)
            {
                string path = "/api/studies/" + Uri.EscapeDataString(first);
                await GetAsync(http, path, cancellationToken).ConfigureAwait(false);
                await GetAsync(http, path + "/trials?limit=1&order=desc", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            // Only the first user's wait is at stake: the server works without it.
            logger.WarmUpFailed(e);
        }
    }

    private static async Task<string> GetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}
