using System.Collections.Concurrent;
using System.Collections.Immutable;
using Hpo.Models;
using Hpo.Serving.Metrics;
using Hpo.Serving.Engines;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hpo.Serving.Versions;

/// <summary>The state of one version of a served model, as reported by the status endpoints.</summary>
/// <param name="Version">The version.</param>
/// <param name="State"><c>LOADING</c>, <c>AVAILABLE</c>, <c>UNLOADING</c>, <c>END</c> or <c>FAILED</c>.</param>
/// <param name="Error">Why it failed, or an empty string.</param>
internal sealed record VersionStatus(long Version, string State, string Error);

/// <summary>What a request resolves to: a version it holds a reference on, or an error status and message.</summary>
internal readonly record struct Resolution(ServedVersion? Served, int Status, string? Error);

/// <summary>
/// The models the server serves. A background loop scans the repository (every poll interval, and early when a file watcher
/// sees a change), loads and warms the versions the policy chooses, swaps each model's served set atomically, and retires the
/// versions no longer chosen (after the grace period; requests in flight finish on them). A version that fails to load is
/// recorded as FAILED and never served until its files change; the previous version keeps serving.
/// </summary>
internal sealed partial class ModelCatalog : BackgroundService
{
    private readonly CatalogSettings options;
    private readonly ServingMetrics metrics;
    private readonly ILogger<ModelCatalog> logger;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, ModelEntry> models = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly SemaphoreSlim scanning = new(1, 1);
    private readonly string basePath;
    private volatile bool scannedOnce;

    public ModelCatalog(CatalogSettings options, ServingMetrics metrics, ILogger<ModelCatalog> logger, TimeProvider? time = null)
    {
        this.options = options;
        this.metrics = metrics;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        basePath = Path.GetFullPath(options.ModelBasePath);
        metrics.ObserveVersions(() => models.Values.Select(m => (m.Name, m.Served.Length > 0 ? m.Served[^1].Version : 0L)));
    }

    /// <summary>Gets a value indicating whether the server is ready: the named model (or, without a name, at least one model) has a version loaded and warmed.</summary>
    public bool IsReady => options.ModelName is { } name
        ? models.TryGetValue(name, out ModelEntry? entry) && entry.Served.Length > 0
        : models.Values.Any(m => m.Served.Length > 0);

    /// <summary>Gets the names of the models known to the server.</summary>
    public IEnumerable<string> ModelNames => models.Keys;

    /// <summary>Resolves a request to a served version and takes a reference on it (the caller releases it).</summary>
    /// <param name="name">The model's name.</param>
    /// <param name="version">The version asked for, or <see langword="null"/> for the newest served one.</param>
    public Resolution Acquire(string name, long? version)
    {
        if (!models.TryGetValue(name, out ModelEntry? entry))
        {
            return new(null, 404, $"Servable not found for request: {(version is long v ? $"Specific({name}, {v})" : $"Latest({name})")}: the server has no model named '{name}'.");
        }

        for (int attempt = 0; attempt < 3; attempt++)
        {
            ImmutableArray<ServedVersion> served = entry.Served;
            ServedVersion? chosen = version is long wanted ? served.FirstOrDefault(s => s.Version == wanted) : served.Length > 0 ? served[^1] : null;
            if (chosen is null)
            {
                if (version is long missing)
                {
                    return new(null, 404, $"Servable not found for request: Specific({name}, {missing}): version {missing} is not served (served: {(served.Length == 0 ? "none" : string.Join(", ", served.Select(s => s.Version)))}).");
                }

                return new(null, 503, $"Model '{name}' has no version loaded yet (or its versions failed to load): see GET /v1/models/{name}.");
            }

            if (chosen.TryAcquire())
            {
                return new(chosen, 200, null);
            }

            // Released between the look and the acquire: the served set has already changed, so look again.
        }

        return new(null, 503, $"Model '{name}' is swapping versions; retry.");
    }

    /// <summary>Gets the statuses of a model's versions, or <see langword="null"/> for an unknown model.</summary>
    public IReadOnlyList<VersionStatus>? GetStatus(string name) =>
        models.TryGetValue(name, out ModelEntry? entry) ? [.. entry.Statuses.Values.OrderBy(s => s.Version)] : null;

    /// <summary>Wakes the scan loop now (a file watcher saw a change).</summary>
    public void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A scan is already due.
        }
    }

    /// <summary>Scans the repository once and applies what changed (also used by tests to avoid waiting for the loop).</summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        await scanning.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ScanOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            scanning.Release();
        }
    }

    private async Task ScanOnceAsync(CancellationToken cancellationToken)
    {
        IEnumerable<string> names;
        if (options.ModelName is { } only)
        {
            names = [only];
        }
        else
        {
            names = Directory.Exists(basePath)
                ? [.. Directory.EnumerateDirectories(basePath).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Concat(models.Keys).Distinct()]
                : [.. models.Keys];
        }

        foreach (string name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ScanModelAsync(name, cancellationToken).ConfigureAwait(false);
        }

        scannedOnce = true;
    }

    /// <summary>Gets a value indicating whether the first scan has finished.</summary>
    public bool HasScanned => scannedOnce;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using FileSystemWatcher? watcher = CreateWatcher();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogScanFailed(logger, basePath, e);
            }

            try
            {
                await wake.WaitAsync(options.PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override void Dispose()
    {
        foreach (ModelEntry entry in models.Values)
        {
            foreach (ServedVersion served in entry.Served)
            {
                served.Retire();
            }
        }

        wake.Dispose();
        scanning.Dispose();
        base.Dispose();
    }

    private FileSystemWatcher? CreateWatcher()
    {
        try
        {
            Directory.CreateDirectory(basePath);
            var watcher = new FileSystemWatcher(basePath) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.DirectoryName | NotifyFilters.FileName | NotifyFilters.LastWrite };
            watcher.Created += (_, _) => Wake();
            watcher.Deleted += (_, _) => Wake();
            watcher.Renamed += (_, _) => Wake();
            watcher.Changed += (_, _) => Wake();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            LogWatcherUnavailable(logger, basePath, e.Message);
            return null;
        }
    }

    private async Task ScanModelAsync(string name, CancellationToken cancellationToken)
    {
        ModelEntry entry = models.GetOrAdd(name, n => new ModelEntry(n));
        string folder = Path.Combine(basePath, name);
        Dictionary<long, string> candidates = [];
        if (Directory.Exists(folder))
        {
            foreach (long version in ModelRepository.ParseVersions(Directory.EnumerateDirectories(folder).Select(Path.GetFileName).OfType<string>()))
            {
                string versionFolder = Path.Combine(folder, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (File.Exists(Path.Combine(versionFolder, ModelManifest.FileName)))
                {
                    candidates[version] = Signature(versionFolder);
                }
            }
        }

        // A failure is remembered with the files' signature: the version is retried only when its files change.
        foreach ((long version, string signature) in entry.Failures.ToArray())
        {
            if (!candidates.TryGetValue(version, out string? now) || now != signature)
            {
                entry.Failures.Remove(version);
                entry.SetStatus(version, null);
            }
        }

        long[] loadable = [.. candidates.Keys.Where(v => !entry.Failures.ContainsKey(v)).Order()];
        HashSet<long> wanted = [.. options.VersionPolicy.Choose(loadable)];
        // Everything served stays a candidate until a replacement has loaded: a new version that fails never unloads the old one.
        var keep = entry.Served.Where(s => candidates.ContainsKey(s.Version)).ToList();
        foreach (long version in wanted.Where(v => keep.All(s => s.Version != v)).Order())
        {
            string versionFolder = Path.Combine(folder, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            entry.SetStatus(version, "LOADING");
            ServedVersion? loaded = await Task.Run(() => TryLoad(name, version, versionFolder, candidates[version], entry), cancellationToken).ConfigureAwait(false);
            if (loaded is not null)
            {
                keep.Add(loaded);
            }
        }

        // With the latest policy, a newer version that failed leaves the one before it in place: choose again among what loaded.
        HashSet<long> final = [.. options.VersionPolicy.Choose([.. keep.Select(s => s.Version).Order()])];
        ImmutableArray<ServedVersion> next = [.. keep.Where(s => final.Contains(s.Version)).OrderBy(s => s.Version)];
        ImmutableArray<ServedVersion> previous = entry.Served;
        if (!next.SequenceEqual(previous))
        {
            entry.Served = next;
            foreach (ServedVersion served in next.Except(previous))
            {
                entry.SetStatus(served.Version, "AVAILABLE");
                LogServing(logger, name, served.Version, served.Manifest.Kind, served.Manifest.Study, served.Manifest.Trial);
            }

            foreach (ServedVersion old in previous.Except(next))
            {
                entry.SetStatus(old.Version, "UNLOADING");
                _ = RetireLaterAsync(entry, old);
            }
        }

        foreach (ServedVersion unused in keep.Except(next).Except(previous))
        {
            entry.SetStatus(unused.Version, null);
            unused.Retire();
        }
    }

    private ServedVersion? TryLoad(string name, long version, string folder, string signature, ModelEntry entry)
    {
        ModelEngine? engine = null;
        try
        {
            ModelManifest manifest = ModelManifest.FromJson(File.ReadAllText(Path.Combine(folder, ModelManifest.FileName)));
            engine = ModelEngine.LoadVersion(folder, manifest, options.PoolSize);
            float[] instance = new float[engine.InstanceSize];
            float[] output = new float[engine.OutputSize];
            for (int i = 0; i < options.WarmupPredictions; i++)
            {
                engine.Predict(instance, 1, output);
            }

            return new ServedVersion(name, version, folder, engine);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            engine?.Dispose();
            entry.Failures[version] = signature;
            entry.SetStatus(version, "FAILED", e.Message);
            LogLoadFailed(logger, name, version, folder, e);
            return null;
        }
    }

    private async Task RetireLaterAsync(ModelEntry entry, ServedVersion old)
    {
        try
        {
            await Task.Delay(options.UnloadGracePeriod, time).ConfigureAwait(false);
        }
        finally
        {
            old.Retire();
            if (!entry.Served.Contains(old))
            {
                entry.SetStatus(old.Version, Directory.Exists(old.Folder) ? "END" : null);
            }

            LogUnloaded(logger, old.Name, old.Version);
        }
    }

    private static string Signature(string folder)
    {
        var parts = new List<string>();
        foreach (string file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            parts.Add($"{info.Name}:{info.Length}:{info.LastWriteTimeUtc.Ticks}");
        }

        return string.Join('|', parts);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Model} version {Version} ({Kind}, study {Study}, trial {Trial}).")]
    private static partial void LogServing(ILogger logger, string model, long version, string kind, string? study, int? trial);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} version {Version} at {Folder} failed to load and will not be served until its files change.")]
    private static partial void LogLoadFailed(ILogger logger, string model, long version, string folder, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} unloaded.")]
    private static partial void LogUnloaded(ILogger logger, string model, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scanning the model repository {BasePath} failed; retrying at the next poll.")]
    private static partial void LogScanFailed(ILogger logger, string basePath, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No file watcher on {BasePath} ({Reason}); the repository is polled only.")]
    private static partial void LogWatcherUnavailable(ILogger logger, string basePath, string reason);

    private sealed class ModelEntry(string name)
    {
        private const int MaxEndedStatuses = 64;

        private ImmutableArray<ServedVersion> served = [];

        public string Name { get; } = name;

        public ImmutableArray<ServedVersion> Served
        {
            get => ImmutableInterlocked.InterlockedCompareExchange(ref served, served, served);
            set => ImmutableInterlocked.InterlockedExchange(ref served, value);
        }

        public Dictionary<long, string> Failures { get; } = [];

        public ConcurrentDictionary<long, VersionStatus> Statuses { get; } = new();

        public void SetStatus(long version, string? state, string error = "")
        {
            if (state is null)
            {
                Statuses.TryRemove(version, out _);
            }
            else
            {
                Statuses[version] = new VersionStatus(version, state, error);
            }

            // A repository that gains a version every few seconds for weeks must not grow this map without end: keep the
            // newest ended versions only (served, loading, unloading and failed ones always stay).
            if (Statuses.Count > 2 * MaxEndedStatuses)
            {
                foreach (long old in Statuses.Values.Where(s => s.State == "END").OrderByDescending(s => s.Version).Skip(MaxEndedStatuses).Select(s => s.Version).ToList())
                {
                    Statuses.TryRemove(old, out _);
                }
            }
        }
    }
}
