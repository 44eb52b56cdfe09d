using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Hpo.Models;

namespace Hpo.Benchmarks.Serving;

/// <summary>
/// <c>serve-load --url URL --model NAME --concurrency C --duration S [--batch B] [--warmup S] [--noop] [--swap-base BASE --swap-every S] [--server-pid PID]</c>:
/// a closed-loop load test of a model server on loopback. C connections each send a predict request with B Iris rows, wait for
/// the answer and send the next, for S seconds after a warm-up. Prints requests/s, instances/s, p50/p90/p99 latency and errors,
/// then one JSON line.
/// </summary>
/// <remarks>
/// <para><c>--noop</c> sends <c>GET /healthz</c> instead: the HTTP floor of the same server. <c>--swap-base</c> publishes a copy of
/// the model's newest version as a new version every <c>--swap-every</c> seconds while the load runs (the live-swap check).
/// <c>--server-pid</c> records the server's resident memory at the start and the end (the soak check).</para>
/// <para>Bounded: loopback addresses only, at most 1,024 connections and 3,600 seconds.</para>
/// </remarks>
public static class ServeLoadCommand
{
    private static readonly float[][] IrisRows =
    [
        [5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f], [5.9f, 3.0f, 4.2f, 1.5f], [4.9f, 3.1f, 1.5f, 0.1f],
        [6.3f, 2.5f, 5.0f, 1.9f], [5.6f, 2.9f, 3.6f, 1.3f], [7.2f, 3.6f, 6.1f, 2.5f], [5.0f, 3.4f, 1.5f, 0.2f],
    ];

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>serve-load</c>.</param>
    /// <param name="stdout">Where the report goes.</param>
    /// <returns>The exit code: 0, or 1 when a request failed.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var cl = new CommandLine("serve-load", args, "url", "model", "concurrency", "duration", "batch", "warmup", "noop", "swap-base", "swap-every", "server-pid");
        var url = new Uri(cl.String("url", "http://127.0.0.1:8501"));
        if (!IPAddress.TryParse(url.Host, out IPAddress? ip) ? url.Host != "localhost" : !IPAddress.IsLoopback(ip))
        {
            throw new UsageException($"serve-load: --url must be a loopback address (load tests target loopback only), but got '{url.Host}'.");
        }

        string model = cl.String("model", "iris");
        int concurrency = cl.PositiveInt("concurrency", 64);
        int duration = cl.PositiveInt("duration", 20);
        int batch = cl.PositiveInt("batch", 1);
        int warmup = cl.NonNegativeInt("warmup", 3);
        bool noop = cl.Has("noop") && cl.String("noop") is "true" or "1";
        if (concurrency > 1024 || duration > 3600 || batch > 10_000)
        {
            throw new UsageException("serve-load: at most 1,024 connections, 3,600 seconds and 10,000 instances per request.");
        }

        string? swapBase = cl.Has("swap-base") ? cl.String("swap-base") : null;
        int swapEvery = cl.PositiveInt("swap-every", 2);
        int? serverPid = cl.Has("server-pid") ? cl.PositiveInt("server-pid") : null;

        string body = JsonSerializer.Serialize(new { instances = Enumerable.Range(0, batch).Select(i => IrisRows[i % IrisRows.Length]) });
        byte[] payload = Encoding.UTF8.GetBytes(body);
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        using var http = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        string path = noop ? "/healthz" : $"/v1/models/{model}:predict";

        if (warmup > 0)
        {
            await RunPhaseAsync(http, path, payload, noop, concurrency, TimeSpan.FromSeconds(warmup), record: false);
        }

        long rssStart = serverPid is int p1 ? ResidentBytes(p1) : 0;
        using var swapStop = new CancellationTokenSource();
        Task<int> swaps = swapBase is null ? Task.FromResult(0) : SwapAsync(swapBase, model, TimeSpan.FromSeconds(swapEvery), swapStop.Token);
        PhaseResult result = await RunPhaseAsync(http, path, payload, noop, concurrency, TimeSpan.FromSeconds(duration), record: true);
        await swapStop.CancelAsync();
        int swapCount = await swaps;
        long rssEnd = serverPid is int p2 ? ResidentBytes(p2) : 0;

        double seconds = result.Elapsed.TotalSeconds;
        double rps = result.Requests / seconds;
        float[] latencies = [.. result.LatenciesMs.Order()];
        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"serve-load {path} c={concurrency} batch={(noop ? 0 : batch)} {seconds:0.0}s: {rps:N0} req/s, {(noop ? 0 : rps * batch):N0} instances/s, " +
            $"p50 {P(0.5):0.00} ms, p90 {P(0.9):0.00} ms, p99 {P(0.99):0.00} ms, errors {result.Errors}{(swapBase is null ? string.Empty : $", versions swapped in: {swapCount}")}" +
            $"{(serverPid is null ? string.Empty : $", server RSS {rssStart / 1048576.0:0.0} -> {rssEnd / 1048576.0:0.0} MiB")}; loadavg {load}"));
        if (result.FirstError is { } first)
        {
            stdout.WriteLine("first error: " + first);
        }

        stdout.WriteLine(JsonSerializer.Serialize(new
        {
            tool = "serve-load",
            url = new Uri(url, path).ToString(),
            concurrency,
            batch = noop ? 0 : batch,
            duration_s = Math.Round(seconds, 2),
            requests = result.Requests,
            errors = result.Errors,
            requests_per_s = Math.Round(rps, 1),
            instances_per_s = noop ? 0 : Math.Round(rps * batch, 1),
            p50_ms = Math.Round(P(0.5), 3),
            p90_ms = Math.Round(P(0.9), 3),
            p99_ms = Math.Round(P(0.99), 3),
            swaps = swapCount,
            server_rss_start_mib = serverPid is null ? (double?)null : Math.Round(rssStart / 1048576.0, 1),
            server_rss_end_mib = serverPid is null ? (double?)null : Math.Round(rssEnd / 1048576.0, 1),
            loadavg = load,
        }));
        return result.Errors == 0 ? 0 : 1;
    }

    private static async Task<PhaseResult> RunPhaseAsync(HttpClient http, string path, byte[] payload, bool noop, int concurrency, TimeSpan duration, bool record)
    {
        var stopwatch = Stopwatch.StartNew();
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long errors = 0;
        string? firstError = null;
        var perWorker = new List<float>[concurrency];
        Task[] workers = new Task[concurrency];
        for (int w = 0; w < concurrency; w++)
        {
            var latencies = perWorker[w] = new List<float>(record ? 100_000 : 0);
            workers[w] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        using HttpRequestMessage request = new(noop ? HttpMethod.Get : HttpMethod.Post, path);
                        if (!noop)
                        {
                            request.Content = new ByteArrayContent(payload);
                            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                        }

                        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                        if (!response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref errors);
                            Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}", null);
                            continue;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                        continue;
                    }

                    if (record && latencies.Count < 5_000_000)
                    {
                        latencies.Add((float)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
            });
        }

        await Task.WhenAll(workers);
        stopwatch.Stop();
        List<float> all = [.. perWorker.SelectMany(l => l)];
        return new PhaseResult(all.Count + errors, errors, all, stopwatch.Elapsed, firstError);
    }

    /// <summary>Publishes a copy of the newest version as a new version every interval; returns how many it published.</summary>
    private static async Task<int> SwapAsync(string basePath, string model, TimeSpan every, CancellationToken cancellationToken)
    {
        var repository = new ModelRepository(basePath);
        int count = 0;
        try
        {
            while (true)
            {
                await Task.Delay(every, cancellationToken);
                long newest = repository.GetVersions(model).LastOrDefault();
                string source = repository.VersionDirectory(model, newest);
                ModelManifest manifest = repository.ReadManifest(model, newest);
                await repository.PublishAsync(model, manifest, (target, ct) =>
                {
                    foreach (string file in Directory.EnumerateFiles(source).Where(f => Path.GetFileName(f) != ModelManifest.FileName))
                    {
                        File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
                    }

                    return Task.CompletedTask;
                }, CancellationToken.None);
                count++;
            }
        }
        catch (OperationCanceledException)
        {
            return count;
        }
    }

    private static long ResidentBytes(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private sealed record PhaseResult(long Requests, long Errors, List<float> LatenciesMs, TimeSpan Elapsed, string? FirstError);
}
