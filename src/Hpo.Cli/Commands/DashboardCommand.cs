using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Dashboard;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo dashboard</c>: serves a live, read-only web dashboard of a storage's studies until stopped.</summary>
internal sealed class DashboardCommand : CliCommand
{
    /// <summary>The <c>--urls</c> option.</summary>
    public static readonly OptionSpec UrlsOption = new("--urls", "URLS", $"Where to listen (semicolon-separated); default {DashboardOptions.DefaultUrls}, loopback only. Another address exposes the studies to that network.");

    /// <summary>The <c>--refresh</c> option.</summary>
    public static readonly OptionSpec RefreshOption = new("--refresh", "DURATION", "How often a watched study's changes are read (default 1s).");

    /// <inheritdoc/>
    public override string Name => "dashboard";

    /// <inheritdoc/>
    public override string Summary => "Serve a live, read-only web dashboard of the studies (loopback by default).";

    /// <inheritdoc/>
    public override string Description =>
        "Serves a web page and a JSON API under /api/ that show the storage's studies: counts by state, the best trial, settings, the search " +
        "space, every plot, and a paged, sortable, filterable trials table with each trial's parameters, intermediate values, attributes and log " +
        "tail, updated while workers run (server-sent events). Read-only; the storage's password is never shown. Runs until Ctrl+C or SIGTERM, " +
        "then prints the addresses it served.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Storage, UrlsOption, RefreshOption, CommonOptions.Format];

    /// <inheritdoc/>
    public override Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        string url = options.GetRequired(CommonOptions.Storage.Name);
        var dashboardOptions = new DashboardOptions
        {
            Urls = options.Get(UrlsOption.Name) ?? DashboardOptions.DefaultUrls,
            RefreshInterval = options.GetDuration(RefreshOption.Name) ?? TimeSpan.FromSeconds(1),
            StorageDisplayName = Hpo.Storage.StudyStorage.Redact(url),
        };
        return WithStorageAsync(context, url, mustExist: true, async storage =>
        {
            DashboardServer server = await DashboardServer.StartAsync(storage, dashboardOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                await context.Error.WriteLineAsync($"hpo dashboard: listening on {string.Join(", ", server.Urls)} for {dashboardOptions.StorageDisplayName} (read-only). Press Ctrl+C to stop.").ConfigureAwait(false);
                await context.Error.FlushAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C or SIGTERM: the normal way to stop a server.
                }
            }

            return OutputDocument.Single(new OutputRecord([new("dashboard", "stopped"), new("urls", string.Join(" ", server.Urls))]));
        });
    }
}
