using System.Collections.Concurrent;
using System.Text.Json;
using Hpo.Models;

namespace Hpo.Serving.Tests;

public sealed class VersionSwapTests
{
    private const string Row = "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}";

    [Fact]
    public async Task A_corrupt_or_half_written_version_is_never_served_and_the_previous_one_keeps_serving()
    {
        string basePath = ServerHarness.NewBase();
        await TestModels.PublishClassifierAsync(basePath);
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath);

        // Version 2: a manifest but a truncated model file (a copy cut short).
        ModelVersion v1 = (await new ModelRepository(basePath).PublishAsync("iris", TestModels.ClassifierManifest, (target, ct) =>
            File.WriteAllBytesAsync(Path.Combine(target, "model.zip"), [0x50, 0x4b, 0x03, 0x04, 1, 2, 3], ct)));
        Assert.Equal(2, v1.Version);

        // Version 3: still being copied by hand (no manifest yet); version 4: a manifest that is not JSON.
        Directory.CreateDirectory(Path.Combine(basePath, "iris", "3"));
        File.WriteAllBytes(Path.Combine(basePath, "iris", "3", "model.zip"), [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(basePath, "iris", "4"));
        File.WriteAllText(Path.Combine(basePath, "iris", "4", "manifest.json"), "{\"kind\": ");

        await harness.WaitUntilAsync(async () =>
        {
            (_, JsonElement status) = await harness.GetJsonAsync("/v1/models/iris");
            return status.GetProperty("model_version_status").EnumerateArray().Count(s => s.GetProperty("state").GetString() == "FAILED") == 2;
        }, "versions 2 and 4 recorded as FAILED");

        (int code, JsonElement body) = await harness.GetJsonAsync("/v1/models/iris");
        Assert.Equal(200, code);
        var states = body.GetProperty("model_version_status").EnumerateArray().ToDictionary(s => s.GetProperty("version").GetString()!, s => s.GetProperty("state").GetString());
        Assert.True(states.GetValueOrDefault("1") == "AVAILABLE", body.ToString());
        Assert.Equal("FAILED", states["2"]);
        Assert.Equal("FAILED", states["4"]);
        Assert.False(states.ContainsKey("3"), "a version without a manifest is not a candidate yet");
        Assert.NotEmpty(body.GetProperty("model_version_status").EnumerateArray().First(s => s.GetProperty("version").GetString() == "4").GetProperty("status").GetProperty("error_message").GetString()!);

        (code, body) = await harness.PostJsonAsync("/v1/models/iris:predict", Row);
        Assert.Equal(200, code);
        (code, _) = await harness.PostJsonAsync("/v1/models/iris/versions/2:predict", Row);
        Assert.Equal(404, code);

        // Completing version 3 (manifest last) makes it the served one.
        await File.WriteAllBytesAsync(Path.Combine(basePath, "iris", "3", "model.zip"), await File.ReadAllBytesAsync(Path.Combine(basePath, "iris", "1", "model.zip")));
        File.Copy(Path.Combine(basePath, "iris", "1", "manifest.json"), Path.Combine(basePath, "iris", "3", "manifest.json"));
        await harness.WaitUntilAsync(async () => (await harness.PostJsonAsync("/v1/models/iris/versions/3:predict", Row)).Status == 200, "version 3 served once complete");
        (code, _) = await harness.PostJsonAsync("/v1/models/iris/versions/1:predict", Row);
        await harness.WaitUntilAsync(async () => (await harness.PostJsonAsync("/v1/models/iris/versions/1:predict", Row)).Status == 404, "version 1 retired");
    }

    [Fact]
    public async Task A_model_folder_deleted_while_serving_is_unloaded_and_served_again_when_it_comes_back()
    {
        string basePath = ServerHarness.NewBase();
        await TestModels.PublishClassifierAsync(basePath);
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath, o => o.ModelName = "iris");
        Assert.Equal(200, (await harness.PostJsonAsync("/v1/models/iris:predict", Row)).Status);

        Directory.Delete(Path.Combine(basePath, "iris"), recursive: true);
        await harness.WaitUntilAsync(async () => (await harness.PostJsonAsync("/v1/models/iris:predict", Row)).Status == 503, "503 once the folder is gone");
        (int code, JsonElement body) = await harness.GetJsonAsync("/readyz");
        Assert.Equal(503, code);
        Assert.Equal("ok", await harness.Http.GetStringAsync("/healthz"));
        (code, body) = await harness.PostJsonAsync("/v1/models/iris:predict", Row);
        Assert.Contains("no version loaded", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        await TestModels.PublishClassifierAsync(basePath);
        await harness.WaitUntilAsync(async () => (await harness.PostJsonAsync("/v1/models/iris:predict", Row)).Status == 200, "served again");
    }

    [Fact]
    public async Task Versions_swapped_in_under_concurrent_load_fail_no_request_and_end_on_the_newest()
    {
        string basePath = ServerHarness.NewBase();
        await TestModels.PublishClassifierAsync(basePath);
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath, o => o.UnloadGracePeriod = TimeSpan.FromMilliseconds(50));
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var versions = new ConcurrentDictionary<string, int>();
        long ok = 0;
        Task[] clients = [.. Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using HttpResponseMessage response = await harness.PostAsync("/v1/models/iris:predict", Row);
                if (!response.IsSuccessStatusCode)
                {
                    failures.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                else
                {
                    Interlocked.Increment(ref ok);
                }
            }
        }))];

        for (int i = 0; i < 6; i++)
        {
            await Task.Delay(300);
            await TestModels.PublishClassifierAsync(basePath);
            await harness.Server.ScanNowAsync();
            (_, JsonElement status) = await harness.GetJsonAsync("/v1/models/iris");
            versions[status.GetProperty("model_version_status")[0].GetProperty("version").GetString()!] = 1;
        }

        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Assert.Empty(failures);
        Assert.True(ok > 50, $"only {ok} requests ran");
        (int code, JsonElement body) = await harness.GetJsonAsync("/v1/models/iris");
        Assert.Equal(200, code);
        JsonElement newest = body.GetProperty("model_version_status")[0];
        Assert.Equal("7", newest.GetProperty("version").GetString());
        Assert.Equal("AVAILABLE", newest.GetProperty("state").GetString());
        await harness.WaitUntilAsync(async () =>
        {
            (_, JsonElement s) = await harness.GetJsonAsync("/v1/models/iris");
            return s.GetProperty("model_version_status").EnumerateArray().Count(v => v.GetProperty("state").GetString() == "AVAILABLE") == 1
                && s.GetProperty("model_version_status").EnumerateArray().All(v => v.GetProperty("state").GetString() is "AVAILABLE" or "END");
        }, "old versions unloaded after the grace period");
    }

    [Fact]
    public async Task The_all_and_specific_policies_serve_the_versions_they_name()
    {
        string basePath = ServerHarness.NewBase();
        for (int i = 0; i < 3; i++)
        {
            await TestModels.PublishClassifierAsync(basePath);
        }

        string copy = ServerHarness.NewBase();
        CopyFolder(basePath, copy);
        await using (ServerHarness all = await ServerHarness.StartAsync(basePath, o => o.VersionPolicy = Versions.ModelVersionPolicy.Parse("all")))
        {
            foreach (int v in new[] { 1, 2, 3 })
            {
                Assert.Equal(200, (await all.PostJsonAsync($"/v1/models/iris/versions/{v}:predict", Row)).Status);
            }
        }

        await using ServerHarness specific = await ServerHarness.StartAsync(copy, o => o.VersionPolicy = Versions.ModelVersionPolicy.Parse("specific:1,3"));
        Assert.Equal(200, (await specific.PostJsonAsync("/v1/models/iris/versions/1:predict", Row)).Status);
        Assert.Equal(404, (await specific.PostJsonAsync("/v1/models/iris/versions/2:predict", Row)).Status);
        (int code, JsonElement body) = await specific.GetJsonAsync("/v1/models/iris/metadata");
        Assert.Equal(200, code);
        Assert.Equal("3", body.GetProperty("model_spec").GetProperty("version").GetString());
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
