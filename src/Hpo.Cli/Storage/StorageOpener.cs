using Hpo.Cli.Parsing;
using Hpo.PostgreSql;
using Hpo.Registries;
using Hpo.Storage;
using Hpo.Storage.Sqlite;

namespace Hpo.Cli.Storage;

/// <summary>
/// Opens the storage that <c>--storage</c> names, with the checks a command-line tool needs: a SQLite file that a read-only
/// command is pointed at must exist (a typo must not create an empty database), <c>memory</c> is accepted with a note, and readers
/// never create or upgrade a schema. URLs are opened with the tool's own <see cref="StorageRegistry"/>, which knows the PostgreSQL
/// provider the tool ships with (registered explicitly: no assembly is looked up by name).
/// </summary>
internal sealed class StorageOpener
{
    private static readonly string[] PostgreSqlSchemes = [.. new PostgreSqlStorageProvider().Schemes];

    private readonly TextWriter error;

    /// <summary>Initializes a new instance of the <see cref="StorageOpener"/> class.</summary>
    /// <param name="error">Where notes go (standard error).</param>
    /// <param name="registry">The registry that opens URLs; the tool's own (<see cref="CreateRegistry"/>) when <see langword="null"/>.</param>
    /// <param name="environment">Reads an environment variable (<c>HPO_STORAGE</c>); the process's own when <see langword="null"/>.</param>
    public StorageOpener(TextWriter error, StorageRegistry? registry = null, Func<string, string?>? environment = null)
    {
        this.error = error;
        Registry = registry ?? CreateRegistry();
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
    }

    /// <summary>Gets the registry that opens URLs.</summary>
    public StorageRegistry Registry { get; }

    /// <summary>Gets the reader of environment variables the tool uses (<c>HPO_STORAGE</c>).</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>Opens a storage.</summary>
    /// <param name="url">The <c>--storage</c> URL.</param>
    /// <param name="mustExist">Whether a SQLite file must already exist (every command but <c>create</c>).</param>
    /// <param name="migrate">
    /// Whether the storage may create or upgrade its schema: writers (<c>create</c>, <c>worker</c>) only. A reader never changes the
    /// schema under running workers of an older release; it is told which version is needed instead.
    /// </param>
    /// <returns>The storage; dispose it when done.</returns>
    /// <exception cref="UsageException">The URL is malformed or its scheme unknown.</exception>
    /// <exception cref="CliException">The SQLite file does not exist.</exception>
    public IStudyStorage Open(string url, bool mustExist, bool migrate = true)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url is "memory" or "memory://" or ":memory:")
        {
            error.WriteLine("hpo: note: 'memory' storage starts empty in every process, so it holds no study here; use sqlite:///file.db or postgresql://… to look at a study.");
            return Registry.Open(url);
        }

        int separator = url.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new UsageException($"Option '--storage' must be a URL such as sqlite:///relative.db, sqlite:////absolute.db or postgresql://user@host/database, but got a value without '://' (not shown: a connection string may hold a password).");
        }

        string scheme = url[..separator];
        if (scheme.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            string path = Invoke(() => SqliteStorageProvider.PathOf(url));
            if (mustExist && !File.Exists(path))
            {
                throw new CliException($"The SQLite database '{Path.GetFullPath(path)}' does not exist (from --storage {StudyStorage.Redact(url)}). sqlite:///relative.db is relative to the current folder ({System.Environment.CurrentDirectory}); sqlite:////absolute.db has four slashes.");
            }
        }

        bool ours = scheme.Equals("sqlite", StringComparison.OrdinalIgnoreCase) || PostgreSqlSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase);
        string opened = migrate || !ours ? url : StorageUrlOptions.WithoutMigration(url);
        return Invoke(() => Registry.Open(opened));
    }

    /// <summary>Opens a storage, runs <paramref name="body"/> with it and disposes it (also when <paramref name="body"/> fails).</summary>
    /// <typeparam name="T">What <paramref name="body"/> returns.</typeparam>
    /// <param name="url">The <c>--storage</c> URL.</param>
    /// <param name="mustExist">Whether a SQLite file must already exist (every command but <c>create</c>).</param>
    /// <param name="migrate">Whether the command writes and so may create or upgrade the schema (see <see cref="Open"/>).</param>
    /// <param name="body">What to do with the storage.</param>
    /// <returns>What <paramref name="body"/> returns.</returns>
    /// <exception cref="UsageException">The URL is malformed or its scheme unknown.</exception>
    /// <exception cref="CliException">The SQLite file does not exist.</exception>
    public async Task<T> WithStorageAsync<T>(string url, bool mustExist, bool migrate, Func<IStudyStorage, Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        IStudyStorage storage = Open(url, mustExist, migrate);
        await using (storage.ConfigureAwait(false))
        {
            return await body(storage).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens an existing storage for reading, finds the study named <paramref name="study"/> in it (or fails with the names it
    /// does hold), runs <paramref name="body"/> with both and disposes the storage: what every command that reads one study does.
    /// </summary>
    /// <typeparam name="T">What <paramref name="body"/> returns.</typeparam>
    /// <param name="url">The <c>--storage</c> URL.</param>
    /// <param name="study">The <c>--study</c> name.</param>
    /// <param name="body">What to do with the storage and the study.</param>
    /// <param name="cancellationToken">A token to cancel the look-up.</param>
    /// <returns>What <paramref name="body"/> returns.</returns>
    /// <exception cref="UsageException">The URL is malformed or its scheme unknown.</exception>
    /// <exception cref="CliException">The SQLite file or the study does not exist.</exception>
    public Task<T> WithStudyAsync<T>(string url, string study, Func<IStudyStorage, StudyRecord, Task<T>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(body);
        return WithStorageAsync(url, mustExist: true, migrate: false, async storage =>
            await body(storage, await FindStudyAsync(storage, study, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false));
    }

    /// <summary>Gets a study by name, or fails with the names the storage does hold.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="name">The study's name.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The study.</returns>
    /// <exception cref="CliException">There is no study with that name.</exception>
    public static async Task<StudyRecord> FindStudyAsync(IStudyStorage storage, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        StudyRecord? study = await storage.GetStudyAsync(name, cancellationToken).ConfigureAwait(false);
        if (study is not null)
        {
            return study;
        }

        IReadOnlyList<StudyRecord> studies = await storage.GetStudiesAsync(cancellationToken).ConfigureAwait(false);
        string known = studies.Count == 0
            ? "The storage holds no study yet."
            : $"Studies: {string.Join(", ", studies.Take(20).Select(s => s.Name))}{(studies.Count > 20 ? ", …" : string.Empty)}.";
        throw new CliException($"There is no study named '{name}'. {known}");
    }

    /// <summary>Creates the tool's registry: <c>memory</c>, <c>sqlite</c>, and the PostgreSQL provider the tool ships with.</summary>
    /// <returns>A new registry.</returns>
    public static StorageRegistry CreateRegistry()
    {
        var registry = new StorageRegistry();
        registry.Register(new PostgreSqlStorageProvider());
        return registry;
    }

    /// <summary>Removes the "(Parameter 'x')" suffix that <see cref="ArgumentException.Message"/> appends.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The message alone.</returns>
    public static string MessageOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        if (exception is ArgumentException { ParamName: { } parameter })
        {
            string suffix = $" (Parameter '{parameter}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }

    private static T Invoke<T>(Func<T> open)
    {
        try
        {
            return open();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"Option '--storage' is invalid: {MessageOf(e)}", e);
        }
    }
}
