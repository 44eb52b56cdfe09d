using Hpo.Internal;
using Hpo.Storage.Providers;

namespace Hpo.Storage.Sqlite;

/// <summary>
/// Opens <c>sqlite://</c> storages: <c>sqlite:///relative/path.db</c> and <c>sqlite:////absolute/path.db</c> (SQLAlchemy's rule:
/// four slashes for an absolute path), with <c>?migrate=false</c> for readers (<see cref="StorageUrlOptions.Migrate"/>).
/// </summary>
public sealed class SqliteStorageProvider : IStudyStorageProvider
{
    /// <summary>The scheme: <c>sqlite</c>.</summary>
    public const string Scheme = "sqlite";

    private const string Prefix = "sqlite:///";

    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes { get; } = [Scheme];

    /// <inheritdoc/>
    public IStudyStorage Open(string url) => new SqliteStudyStorage(OptionsOf(url));

    /// <summary>Reads a <c>sqlite://</c> URL into storage options: the file and whether the schema may be created or upgraded.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>New options.</returns>
    /// <exception cref="ArgumentException">The URL does not name a file, or its <c>migrate</c> option is neither true nor false.</exception>
    public static SqliteStudyStorageOptions OptionsOf(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        bool migrate = StorageUrlOptions.TakeMigrate(ref url);
        return new SqliteStudyStorageOptions { Path = PathOf(url), MigrateSchema = migrate };
    }

    /// <summary>Turns a <c>sqlite://</c> URL into a file path: three slashes then a relative path, four for an absolute one.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The path.</returns>
    /// <exception cref="ArgumentException">The URL does not name a file.</exception>
    public static string PathOf(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || url.Length == Prefix.Length)
        {
            throw new ArgumentException($"A SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db, but got '{Secrets.Redact(url)}'.", nameof(url));
        }

        string path = Uri.UnescapeDataString(url[Prefix.Length..]);
        int query = path.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? path[..query] : path;
    }
}
