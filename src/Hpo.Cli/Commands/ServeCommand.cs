using System.Globalization;
using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Serving;
using Hpo.Serving.Versions;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo serve</c>: runs the model server (Hpo.Serving) on a model repository until Ctrl+C or SIGTERM.</summary>
internal sealed class ServeCommand : CliCommand
{
    /// <summary>The <c>--model-base-path</c> option.</summary>
    public static readonly OptionSpec ModelBasePathOption = new("--model-base-path", "BASE", "The model repository's base folder (BASE/NAME/VERSION/).", Required: true);

    /// <summary>The <c>--name</c> option.</summary>
    public static readonly OptionSpec NameOption = new("--name", "NAME", "Serve only this model (every model folder under BASE when omitted).");

    /// <summary>The <c>--urls</c> option.</summary>
    public static readonly OptionSpec UrlsOption = new("--urls", "URLS", $"REST addresses, separated by ';' (http://HOST:PORT; port 0 picks a free one). Loopback unless told otherwise; {ModelServerOptions.DefaultUrl} when omitted.");

    /// <summary>The <c>--grpc-port</c> option.</summary>
    public static readonly OptionSpec GrpcPortOption = new("--grpc-port", "PORT", $"The gRPC port (HTTP/2, on the first REST address's host; 0 picks a free one, 'none' turns gRPC off); {ModelServerOptions.DefaultGrpcPort} when omitted.");

    /// <summary>The <c>--version-policy</c> option.</summary>
    public static readonly OptionSpec VersionPolicyOption = new("--version-policy", "POLICY", "Which versions are served: latest (the default), latest:N, all, or specific:V1,V2.");

    /// <summary>The <c>--poll</c> option.</summary>
    public static readonly OptionSpec PollOption = new("--poll", "DURATION", "How often the repository is scanned for new versions (1s when omitted; a file watcher also wakes it).");

    /// <summary>The <c>--grace-period</c> option.</summary>
    public static readonly OptionSpec GracePeriodOption = new("--grace-period", "DURATION", "How long a replaced version stays loaded before it is unloaded (5s when omitted); requests in flight always finish on it.");

    /// <summary>The <c>--max-body</c> option.</summary>
    public static readonly OptionSpec MaxBodyOption = new("--max-body", "BYTES", "The largest request body (4194304 when omitted); larger ones are answered 413.");

    /// <summary>The <c>--log-format</c> option.</summary>
    public static readonly OptionSpec LogFormatOption = new("--log-format", "FORMAT", "text (the default) or json (one structured JSON object per line).", Completions: ["text", "json"]);

    /// <inheritdoc/>
    public override string Name => "serve";

    /// <inheritdoc/>
    public override string Summary => "Serve a model repository over TF-Serving-compatible REST and gRPC.";

    /// <inheritdoc/>
    public override string Description =>
        "Serves the models of BASE/NAME/VERSION/ (written by 'hpo export'): REST as TensorFlow Serving's (GET /v1/models/NAME, " +
        "GET /v1/models/NAME/metadata, POST /v1/models/NAME:predict and /v1/models/NAME/versions/N:predict with {\"instances\": [...]}), " +
        "the gRPC service hpo.serving.v1.PredictionService with health checks and reflection, /healthz, /readyz (ready once a version is " +
        "loaded and warmed) and Prometheus metrics at /metrics. New versions are loaded, warmed and swapped in while serving. TorchSharp " +
        "models need a libtorch next to the tool (build it with -p:HpoWithLibTorch=true, as the serving image does). Runs until Ctrl+C " +
        "or SIGTERM, then prints: model_base_path, urls, grpc.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } =
        [ModelBasePathOption, NameOption, UrlsOption, GrpcPortOption, VersionPolicyOption, PollOption, GracePeriodOption, MaxBodyOption, LogFormatOption, CommonOptions.Format];

    /// <inheritdoc/>
    public override async Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var serverOptions = new ModelServerOptions
        {
            ModelBasePath = options.GetRequired(ModelBasePathOption.Name),
            ModelName = options.Get(NameOption.Name),
        };
        if (options.Get(UrlsOption.Name) is { } urls)
        {
            serverOptions.Urls = [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        if (options.Get(GrpcPortOption.Name) is { } grpc)
        {
            serverOptions.GrpcPort = grpc == "none" ? null
                : int.TryParse(grpc, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535 ? port
                : throw new UsageException($"--grpc-port must be a port from 0 to 65535 or 'none', but got '{grpc}'.");
        }

        if (options.Get(VersionPolicyOption.Name) is { } policy)
        {
            try
            {
                serverOptions.VersionPolicy = ModelVersionPolicy.Parse(policy);
            }
            catch (FormatException e)
            {
                throw new UsageException("--version-policy: " + e.Message);
            }
        }

        serverOptions.PollInterval = options.GetDuration(PollOption.Name) ?? serverOptions.PollInterval;
        serverOptions.UnloadGracePeriod = options.GetDuration(GracePeriodOption.Name) ?? serverOptions.UnloadGracePeriod;
        if (options.Get(MaxBodyOption.Name) is { } maxBody)
        {
            serverOptions.MaxRequestBodySize = long.TryParse(maxBody, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) && bytes >= 64
                ? bytes
                : throw new UsageException($"--max-body must be a whole number of bytes, at least 64, but got '{maxBody}'.");
        }

        bool json = options.Get(LogFormatOption.Name) switch
        {
            null or "text" => false,
            "json" => true,
            string other => throw new UsageException($"--log-format must be text or json, but got '{other}'."),
        };
        try
        {
            serverOptions.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        ModelServer server = ModelServer.Create(serverOptions, jsonLogs: json);
        await using (server.ConfigureAwait(false))
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            await context.Error.WriteLineAsync($"hpo serve: REST on {string.Join(", ", server.RestAddresses)}{(server.GrpcAddress is { } g ? $", gRPC on {g}" : string.Empty)}; models under {serverOptions.ModelBasePath}. Ctrl+C stops.").ConfigureAwait(false);
            await context.Error.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop gracefully below.
            }

            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return OutputDocument.Single(new OutputRecord(
            [
                new("model_base_path", Path.GetFullPath(serverOptions.ModelBasePath!)),
                new("urls", string.Join(";", server.RestAddresses)),
                new("grpc", server.GrpcAddress?.ToString()),
            ]));
        }
    }
}
