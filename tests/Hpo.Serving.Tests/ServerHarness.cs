using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Hpo.Serving.Tests;

/// <summary>A real server (Kestrel on loopback, dynamic ports) over a temporary repository, with a real HttpClient.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private ServerHarness(string basePath, ModelServer server)
    {
        BasePath = basePath;
        Server = server;
        Http = new HttpClient { BaseAddress = server.RestAddresses[0], Timeout = TimeSpan.FromSeconds(30) };
    }

    public string BasePath { get; }

    public ModelServer Server { get; }

    public HttpClient Http { get; }

    public static string NewBase()
    {
        string path = Path.Combine(Path.GetTempPath(), "hpo-serving-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static async Task<ServerHarness> StartAsync(string basePath, Action<ModelServerOptions>? configure = null)
    {
        var options = new ModelServerOptions
        {
            ModelBasePath = basePath,
            Urls = ["http://127.0.0.1:0"],
            GrpcPort = 0,
            PollInterval = TimeSpan.FromMilliseconds(200),
            UnloadGracePeriod = TimeSpan.FromMilliseconds(300),
        };
        configure?.Invoke(options);
        ModelServer server = ModelServer.Create(options, logging => { });
        await server.StartAsync();
        return new ServerHarness(basePath, server);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, string json)
    {
        using HttpResponseMessage response = await PostAsync(path, json);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> GetJsonAsync(string path)
    {
        using HttpResponseMessage response = await Http.GetAsync(path);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    /// <summary>Waits until a condition holds, scanning the repository between looks.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        DateTime end = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < end)
        {
            await Server.ScanNowAsync();
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(BasePath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
