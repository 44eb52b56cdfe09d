namespace Hpo.Dashboard;

/// <summary>Settings of the dashboard.</summary>
public sealed class DashboardOptions
{
    /// <summary>The address the dashboard listens on unless told otherwise: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>Gets or sets the addresses to listen on (semicolon-separated, as ASP.NET Core's <c>--urls</c>).</summary>
    /// <value>The default value is <see cref="DefaultUrls"/>.</value>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>Gets or sets how often the dashboard reads a watched study's changes from the storage.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the most rows one page of the trials table may have.</summary>
    /// <value>The default value is 500.</value>
    public int MaxPageSize { get; set; } = 500;

    /// <summary>
    /// Gets or sets a value indicating whether every study's trials are read into the dashboard's cache as soon as the server has
    /// started, so that the first page a browser opens does not wait for a large study to be read.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool PreloadStudies { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="DashboardServer.StartAsync"/> sends the page's first requests to the new
    /// server before it returns (the page, the studies list, the first study's summary and one trial read by the storage's query,
    /// never a full read), so that the first browser does not wait for the code on those paths to be compiled.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WarmUp { get; set; } = true;

    /// <summary>Gets or sets what the page shows as the storage's name; never a password (see <see cref="Hpo.Storage.StudyStorage.Redact"/>).</summary>
    public string? StorageDisplayName { get; set; }

    /// <summary>Gets or sets the clock; the system clock when <see langword="null"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Copies the options, so that a dashboard never reads its caller's object again.</summary>
    internal DashboardOptions Clone() => (DashboardOptions)MemberwiseClone();

    internal void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Urls))
        {
            problems.Add("Urls must name at least one address, but got an empty value.");
        }

        if (RefreshInterval < TimeSpan.FromMilliseconds(50) || RefreshInterval > TimeSpan.FromMinutes(10))
        {
            problems.Add($"RefreshInterval must be between 50 ms and 10 minutes, but got {RefreshInterval}.");
        }

        if (MaxPageSize is < 1 or > 10_000)
        {
            problems.Add($"MaxPageSize must be between 1 and 10000, but got {MaxPageSize}.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("The 'DashboardOptions' are invalid." + Environment.NewLine + string.Join(Environment.NewLine, problems), "options");
        }
    }
}
