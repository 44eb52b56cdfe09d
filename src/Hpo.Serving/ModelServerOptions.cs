using Hpo.Serving.Versions;

namespace Hpo.Serving;

/// <summary>Sets up a model server: the repository, which models and versions it serves, where it listens, and its limits.</summary>
/// <remarks>Added in 0.2.</remarks>
public sealed class ModelServerOptions
{
    /// <summary>The default REST address: loopback, TensorFlow Serving's REST port.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8501";

    /// <summary>The default gRPC port (TensorFlow Serving's).</summary>
    public const int DefaultGrpcPort = 8500;

    /// <summary>Gets or sets the model repository's base folder (<c>BASE/NAME/VERSION/</c>). Required.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ModelBasePath { get; set; }

    /// <summary>Gets or sets the one model to serve, or <see langword="null"/> to serve every model folder under the base.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ModelName { get; set; }

    /// <summary>Gets or sets the REST addresses (<c>http://HOST:PORT</c>; port 0 picks a free one). Hosts other than loopback must be given explicitly.</summary>
    /// <value>The default value is <see cref="DefaultUrl"/>.</value>
    public IList<string> Urls { get; set; } = [DefaultUrl];

    /// <summary>Gets or sets the gRPC port (HTTP/2 without TLS, on the first REST address's host; 0 picks a free one), or <see langword="null"/> for no gRPC.</summary>
    /// <value>The default value is <see cref="DefaultGrpcPort"/>.</value>
    public int? GrpcPort { get; set; } = DefaultGrpcPort;

    /// <summary>Gets or sets which versions of each model are served.</summary>
    /// <value>The default value is <see cref="ModelVersionPolicy.Latest(int)"/> with 1.</value>
    public ModelVersionPolicy VersionPolicy { get; set; } = ModelVersionPolicy.Latest();

    /// <summary>Gets or sets how often the repository is scanned for new, changed and removed versions (a file watcher also wakes the scan early).</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a replaced version stays loaded before it is released (requests in flight on it always finish).</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan UnloadGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the largest request body, in bytes; a larger one is answered 413.</summary>
    /// <value>The default value is 4 MiB.</value>
    public long MaxRequestBodySize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the most instances one request may hold; more is answered 413.</summary>
    /// <value>The default value is 10,000.</value>
    public int MaxInstancesPerRequest { get; set; } = 10_000;

    /// <summary>Gets or sets the most idle predictors kept per loaded version (more are created under load and dropped after).</summary>
    /// <value>The default value is <see langword="null"/>: twice the processor count.</value>
    public int? PredictorPoolSize { get; set; }

    /// <summary>Gets or sets how many warm-up predictions a new version runs before it is served.</summary>
    /// <value>The default value is 8.</value>
    public int WarmupPredictions { get; set; } = 8;

    internal int PoolSize => PredictorPoolSize ?? (2 * Environment.ProcessorCount);

    /// <summary>Creates a copy of these options (the URL list too), as <see cref="ModelServer.Create"/> keeps one.</summary>
    /// <returns>A copy that shares nothing mutable with this object.</returns>
    public ModelServerOptions Clone()
    {
        var copy = (ModelServerOptions)MemberwiseClone();
        copy.Urls = [.. Urls];
        return copy;
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ModelBasePath))
        {
            problems.Add("ModelBasePath is required.");
        }

        if (ModelName is not null)
        {
            try
            {
                Hpo.Models.ArtifactPath.ValidateName(ModelName, nameof(ModelName));
            }
            catch (ArgumentException e)
            {
                problems.Add(e.Message);
            }
        }

        if (Urls is null || Urls.Count == 0)
        {
            problems.Add("Urls must hold at least one address.");
        }
        else
        {
            foreach (string url in Urls)
            {
                if (!ServerAddresses.TryParse(url, out _, out string? error))
                {
                    problems.Add(error!);
                }
            }
        }

        if (GrpcPort is < 0 or > 65535)
        {
            problems.Add($"GrpcPort must be 0 to 65535 or null, but got {GrpcPort}.");
        }

        if (VersionPolicy is null)
        {
            problems.Add("VersionPolicy is required.");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            problems.Add($"PollInterval must be positive, but got {PollInterval}.");
        }

        if (UnloadGracePeriod < TimeSpan.Zero)
        {
            problems.Add($"UnloadGracePeriod must not be negative, but got {UnloadGracePeriod}.");
        }

        if (MaxRequestBodySize < 64)
        {
            problems.Add($"MaxRequestBodySize must be at least 64 bytes, but got {MaxRequestBodySize}.");
        }

        if (MaxInstancesPerRequest < 1)
        {
            problems.Add($"MaxInstancesPerRequest must be at least 1, but got {MaxInstancesPerRequest}.");
        }

        if (PredictorPoolSize is < 1)
        {
            problems.Add($"PredictorPoolSize must be at least 1 or null, but got {PredictorPoolSize}.");
        }

        if (WarmupPredictions < 0)
        {
            problems.Add($"WarmupPredictions must not be negative, but got {WarmupPredictions}.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The '{nameof(ModelServerOptions)}' are invalid.{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "- " + p))}");
        }
    }
}
