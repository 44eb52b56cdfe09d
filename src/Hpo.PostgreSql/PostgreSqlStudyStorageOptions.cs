using Npgsql;

namespace Hpo.PostgreSql;

/// <summary>Options of <see cref="PostgreSqlStudyStorage"/>.</summary>
public sealed class PostgreSqlStudyStorageOptions
{
    /// <summary>
    /// Gets or sets the database to use: an Npgsql connection string (<c>Host=db;Username=hpo;Password=…;Database=studies</c>) or a
    /// URL (<c>postgresql://user:password@host:5432/database</c>, also <c>postgres://</c>; see <see cref="PostgreSqlUrl"/>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>; either this or <see cref="DataSource"/> must be set.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets a data source (connection pool) built by the application, for example through dependency injection. The storage
    /// uses it but does not dispose it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>; either this or <see cref="ConnectionString"/> must be set.</value>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// Gets or sets a clock that replaces the database's clock for timestamps and lease expiry. This is a testing hook (for example a
    /// <c>FakeTimeProvider</c> that a test advances past a lease); leave it unset in production, where the database's clock decides
    /// expiry so that workers whose clocks disagree still agree on which trials are stale.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the database's clock.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Gets or sets when writes wait for the disk.</summary>
    /// <value>The default value is <see cref="PostgreSqlDurability.Full"/>: every write is on disk when its call returns.</value>
    public PostgreSqlDurability Durability { get; set; } = PostgreSqlDurability.Full;

    /// <summary>
    /// Gets or sets how long an operation keeps retrying, with exponential backoff, after a transient failure: a dropped connection,
    /// a database that restarts or refuses connections for a while, a timeout. Operations are written so that running them again
    /// after an unknown outcome is safe (a start sent twice starts one trial; a result sent twice is recorded once). Creating,
    /// deleting a study and enqueuing a trial carry a request id, so that a call sent again after a lost acknowledgement returns the
    /// first call's result.
    /// </summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan TransientRetryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets whether the first operation may create the schema or upgrade an older one. Readers (dashboards, <c>hpo status</c>,
    /// a KEDA-like role that may only read) set it to <see langword="false"/>: they never change the database under running workers of
    /// an older release, and need no privilege beyond reading. A database of an older schema is then refused with the versions named.
    /// A URL sets it with <c>?migrate=false</c>.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool MigrateSchema { get; set; } = true;

    /// <summary>Gets or sets how many times an operation that PostgreSQL aborted because of a deadlock is run again before it fails.</summary>
    /// <value>The default value is 5.</value>
    public int DeadlockRetries { get; set; } = 5;

    /// <summary>Copies the options, so that a storage never reads its caller's object again.</summary>
    internal PostgreSqlStudyStorageOptions Clone() => (PostgreSqlStudyStorageOptions)MemberwiseClone();

    internal void Validate()
    {
        var problems = new List<string>();
        if (DataSource is null && string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add("ConnectionString or DataSource must be set, but both are empty.");
        }

        if (DataSource is not null && !string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add("Set either ConnectionString or DataSource, not both.");
        }

        if (!Enum.IsDefined(Durability))
        {
            problems.Add(FormattableString.Invariant($"Durability must be Full or Grouped, but got {(int)Durability}."));
        }

        if (TransientRetryTimeout < TimeSpan.Zero)
        {
            problems.Add(FormattableString.Invariant($"TransientRetryTimeout must not be negative, but got {TransientRetryTimeout}."));
        }

        if (DeadlockRetries < 0)
        {
            problems.Add(FormattableString.Invariant($"DeadlockRetries must not be negative, but got {DeadlockRetries}."));
        }

        Hpo.Storage.StorageGuards.Options(nameof(PostgreSqlStudyStorageOptions), problems);
    }
}
