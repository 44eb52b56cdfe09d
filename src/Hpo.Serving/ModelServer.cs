using System.Net;
using Hpo.Serving.Metrics;
using Hpo.Serving.Grpc;
using Hpo.Serving.Rest;
using Hpo.Serving.Versions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Hpo.Serving;

/// <summary>
/// The model server: Kestrel with TensorFlow Serving's REST API, the gRPC Predict service (with health checks and reflection),
/// <c>/healthz</c>, <c>/readyz</c>, Prometheus metrics at <c>/metrics</c>, and the catalog that watches the repository and swaps
/// versions live. It binds to loopback unless an address says otherwise, and no endpoint writes anything.
/// </summary>
/// <remarks>Added in 0.2.</remarks>
/// <example>
/// <code>
/// await using var server = ModelServer.Create(new ModelServerOptions { ModelBasePath = "models", ModelName = "iris" });
/// await server.StartAsync();
/// await server.WaitForShutdownAsync();
/// </code>
/// </example>
public sealed class ModelServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private ModelServer(WebApplication app, ModelServerOptions options)
    {
        this.app = app;
        Options = options;
    }

    /// <summary>Gets the options the server runs with.</summary>
    public ModelServerOptions Options { get; }

    /// <summary>Gets the REST addresses the server listens on, once started (with the ports chosen for port 0).</summary>
    public IReadOnlyList<Uri> RestAddresses { get; private set; } = [];

    /// <summary>Gets the gRPC address, once started, or <see langword="null"/> without gRPC.</summary>
    public Uri? GrpcAddress { get; private set; }

    /// <summary>Gets a value indicating whether a model version is loaded and warmed (what <c>/readyz</c> answers).</summary>
    public bool IsReady => app.Services.GetRequiredService<ModelCatalog>().IsReady;

    /// <summary>Gets the application's services (for tests and hosts that add their own).</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>Builds a server.</summary>
    /// <param name="options">The options.</param>
    /// <param name="configureLogging">Sets up logging (the default: the console, as JSON lines when <paramref name="jsonLogs"/>), or <see langword="null"/>.</param>
    /// <param name="jsonLogs">Whether the default console logging writes structured JSON lines.</param>
    /// <returns>The server, not yet started.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static ModelServer Create(ModelServerOptions options, Action<ILoggingBuilder>? configureLogging = null, bool jsonLogs = false)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The server keeps its own copy: changing the caller's object after Create has no effect.
        options = options.Clone();
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Hpo.Serving", Args = [] });
        builder.Logging.ClearProviders();
        if (configureLogging is not null)
        {
            configureLogging(builder.Logging);
        }
        else if (jsonLogs)
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }

        // Per-request hosting logs would cost more than a prediction; the server logs what matters itself.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodySize;
            IPAddress? first = null;
            foreach (string url in options.Urls)
            {
                ServerAddresses.TryParse(url, out IPEndPoint? endpoint, out _);
                first ??= endpoint!.Address;
                kestrel.Listen(endpoint!, listen => listen.Protocols = HttpProtocols.Http1);
            }

            if (options.GrpcPort is int grpcPort)
            {
                kestrel.Listen(first ?? IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            }
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new CatalogSettings(options.ModelBasePath!, options.ModelName, options.PollInterval, options.VersionPolicy, options.PoolSize, options.WarmupPredictions, options.UnloadGracePeriod));
        builder.Services.AddSingleton(new RequestLimits(options.MaxRequestBodySize, options.MaxInstancesPerRequest));
        builder.Services.AddSingleton<ServingMetrics>();
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelCatalog>());
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, options.MaxRequestBodySize));
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("model", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.AddHealthChecks().AddCheck<ReadinessCheck>("ready");
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServingMetrics.MeterName)
            .AddPrometheusExporter());

        WebApplication app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGrpcService<PredictionGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        RestApi.Map(app);
        return new ModelServer(app, options);
    }

    /// <summary>Starts listening and watching the repository; the first scan runs before this returns, so a repository with a model is ready at once.</summary>
    /// <param name="cancellationToken">A token to cancel the start.</param>
    /// <returns>A task that completes when the server listens.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<ModelCatalog>().ScanAsync(cancellationToken).ConfigureAwait(false);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        ICollection<string> addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var uris = addresses.Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal))).ToList();
        if (Options.GrpcPort is not null && uris.Count > Options.Urls.Count)
        {
            GrpcAddress = uris[^1];
            uris.RemoveAt(uris.Count - 1);
        }

        RestAddresses = uris;
    }

    /// <summary>Scans the repository now instead of at the next poll.</summary>
    /// <param name="cancellationToken">A token to cancel the scan.</param>
    /// <returns>A task that completes when the scan has applied what changed.</returns>
    public Task ScanNowAsync(CancellationToken cancellationToken = default) =>
        app.Services.GetRequiredService<ModelCatalog>().ScanAsync(cancellationToken);

    /// <summary>Waits until the server is stopped (Ctrl+C, SIGTERM, or <see cref="StopAsync"/>).</summary>
    /// <param name="cancellationToken">A token that stops the server.</param>
    /// <returns>A task that completes at shutdown.</returns>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the server: stops accepting, lets requests in flight finish, then unloads the models.</summary>
    /// <param name="cancellationToken">A token that makes the stop less graceful.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => app.StopAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => app.DisposeAsync();

    private sealed class ReadinessCheck(ModelCatalog catalog) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(catalog.IsReady ? HealthCheckResult.Healthy("A model version is loaded and warmed.") : HealthCheckResult.Unhealthy("No model version is loaded yet."));
    }
}
