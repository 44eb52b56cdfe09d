using Hpo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hpo.Dashboard;

/// <summary>
/// A running dashboard: a Kestrel server with only the dashboard's endpoints, on loopback unless <see cref="DashboardOptions.Urls"/>
/// says otherwise. Dispose it to stop it.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private DashboardServer(WebApplication app, IReadOnlyList<string> urls)
    {
        this.app = app;
        Urls = urls;
    }

    /// <summary>Gets the addresses the server listens on (with the actual port when port 0 was asked for).</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>Starts a dashboard.</summary>
    /// <param name="storage">The storage to show; the caller owns it and disposes it after the server.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <param name="configureLogging">Configures the server's logging (none when <see langword="null"/>).</param>
    /// <param name="cancellationToken">A token to cancel the start.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="IOException">An address is already in use.</exception>
    public static async Task<DashboardServer> StartAsync(IStudyStorage storage, DashboardOptions? options = null, Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        options = options?.Clone() ?? new DashboardOptions();
        options.Validate();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DashboardServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        builder.WebHost.UseUrls(options.Urls);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            await next(context).ConfigureAwait(false);
        });
        app.MapHpoDashboard(storage, options, app.Services.GetRequiredService<ILoggerFactory>());
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> urls = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
        if (options.WarmUp && urls.Count > 0)
        {
            await DashboardWarmUp.RunAsync(urls[0], app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Hpo.Dashboard"), cancellationToken).ConfigureAwait(false);
        }

        return new DashboardServer(app, urls);
    }

    /// <summary>Waits until the server stops (Ctrl+C or <paramref name="cancellationToken"/>).</summary>
    /// <param name="cancellationToken">A token that stops the server.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
