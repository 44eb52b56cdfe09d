using System.Net.Http.Json;
using System.Text.Json;
using Hpo.Storage;
using Hpo.Tests.Shared;
using Hpo.Registries;

namespace Hpo.Dashboard.Tests;

/// <summary>A SQLite file with a synthetic distributed study (trials in every finished state, retries, a conditional parameter).</summary>
public sealed class SyntheticDatabase : IAsyncLifetime
{
    public const string Study = "synthetic";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "hpo-dashboard-tests", Guid.NewGuid().ToString("N"));

    public string Url => "sqlite:///" + Path.Combine(Folder, "studies.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        await using IStudyStorage storage = StorageRegistry.Default.Open(Url);
        await SyntheticStudy.CreateAsync(storage, Study, 400, workers: 3, seed: 9);
        await storage.CreateStudyAsync(new StudyDefinition { Name = "empty", SearchSpace = SyntheticStudy.Space, Directions = [Hpo.StudyDirection.Maximize], TunerName = "random", Seed = 1 }, default);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>A dashboard on loopback (a free port) over a storage, with an HTTP client.</summary>
internal sealed class RunningDashboard : IAsyncDisposable
{
    private RunningDashboard(IStudyStorage storage, DashboardServer server)
    {
        Storage = storage;
        Server = server;
        Http = new HttpClient { BaseAddress = new Uri(server.Urls[0]) };
    }

    public IStudyStorage Storage { get; }

    public DashboardServer Server { get; }

    public HttpClient Http { get; }

    public static async Task<RunningDashboard> StartAsync(IStudyStorage storage, TimeSpan? refresh = null, string? displayName = null)
    {
        DashboardServer server = await DashboardServer.StartAsync(storage, new DashboardOptions
        {
            Urls = "http://127.0.0.1:0",
            RefreshInterval = refresh ?? TimeSpan.FromMilliseconds(200),
            StorageDisplayName = displayName,
        });
        return new RunningDashboard(storage, server);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using HttpResponseMessage response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<(int Status, string Error)> GetErrorAsync(string path)
    {
        using HttpResponseMessage response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        JsonElement body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ((int)response.StatusCode, body.GetProperty("error").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Storage.DisposeAsync();
    }
}
