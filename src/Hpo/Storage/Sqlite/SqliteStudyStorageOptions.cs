namespace Hpo.Storage.Sqlite;

/// <summary>Options of <see cref="SqliteStudyStorage"/>.</summary>
public sealed class SqliteStudyStorageOptions
{
    /// <summary>Gets or sets the database file; created with its folder when missing.</summary>
    /// <value>The default value is <c>hpo.db</c> in the current directory.</value>
    public string Path { get; set; } = "hpo.db";

    /// <summary>Gets or sets how long a write waits for another process's write lock before failing.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets whether opening the file may create the schema or upgrade an older one. Readers (dashboards, <c>hpo status</c>)
    /// set it to <see langword="false"/> so that they never change a database under running workers of an older release: a file of
    /// an older schema is then refused with the versions named, and one without a schema is refused instead of being made an Hpo
    /// database. A URL sets it with <c>?migrate=false</c>.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool MigrateSchema { get; set; } = true;

    /// <summary>Gets or sets the durability of commits.</summary>
    /// <value>The default value is <see cref="SqliteDurability.Normal"/>.</value>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Normal;

    /// <summary>Gets or sets the clock for timestamps and leases (all processes on one file share the machine's clock).</summary>
    /// <value>The default value is <see langword="null"/> (<see cref="TimeProvider.System"/>).</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>The longest busy timeout SQLite takes: <see cref="int.MaxValue"/> milliseconds (about 24.8 days).</summary>
    internal static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Copies the options, so that a storage never reads its caller's object again.</summary>
    internal SqliteStudyStorageOptions Clone() => (SqliteStudyStorageOptions)MemberwiseClone();

    internal void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            problems.Add("Path must name a file, but it is empty.");
        }

        if (BusyTimeout < TimeSpan.Zero || BusyTimeout > MaxBusyTimeout)
        {
            problems.Add($"BusyTimeout must be between 0 and {MaxBusyTimeout} (SQLite's busy timeout is a 32-bit number of milliseconds), but got {BusyTimeout}.");
        }

        if (!Enum.IsDefined(Durability))
        {
            problems.Add($"Durability must be Normal or Full, but got {(int)Durability}.");
        }

        Hpo.OptionsValidation.ThrowIfAny(nameof(SqliteStudyStorageOptions), problems);
    }
}
