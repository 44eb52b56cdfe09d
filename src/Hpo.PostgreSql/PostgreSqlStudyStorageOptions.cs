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

    /// <summary>Gets or sets how many times an operation that PostgreSQL aborted because of a deadlock is run again before it fails.</summary>
    /// <value>The default value is 5.</value>
    public int DeadlockRetries { get; set; } = 5;

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

        if (DeadlockRetries < 0)
        {
            problems.Add(FormattableString.Invariant($"DeadlockRetries must not be negative, but got {DeadlockRetries}."));
        }

        Studies.OptionsValidation.ThrowIfAny(nameof(PostgreSqlStudyStorageOptions), problems);
    }
}
