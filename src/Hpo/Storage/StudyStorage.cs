using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Hpo.Internal;
using Hpo.Storage.InMemory;
using Hpo.Storage.Sqlite;

namespace Hpo.Storage;

/// <summary>
/// Opens storages from URLs: <c>memory</c>; <c>sqlite:///relative/path.db</c> and <c>sqlite:////absolute/path.db</c>
/// (SQLAlchemy's rule: four slashes for an absolute path). Other packages register their schemes (for example
/// <c>postgresql://</c>) with <see cref="RegisterScheme"/>.
/// </summary>
public static class StudyStorage
{
    /// <summary>The packages that register a scheme, loaded on demand by <see cref="Open"/>.</summary>
    private static readonly Dictionary<string, string> ProviderAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["postgresql"] = "Hpo.PostgreSql",
        ["postgres"] = "Hpo.PostgreSql",
    };

    private static readonly ConcurrentDictionary<string, Func<string, IStudyStorage>> Schemes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sqlite"] = url =>
        {
            bool migrate = StorageUrlOptions.TakeMigrate(ref url);
            return new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = SqlitePath(url), MigrateSchema = migrate });
        },
    };

    /// <summary>Opens the storage a URL names.</summary>
    /// <param name="url"><c>memory</c>, <c>sqlite:///relative.db</c>, <c>sqlite:////absolute.db</c>, or a registered scheme.</param>
    /// <returns>The storage; dispose it when done.</returns>
    /// <exception cref="ArgumentException">The URL is malformed or its scheme is unknown.</exception>
    public static IStudyStorage Open(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        if (url is "memory" or "memory://" or ":memory:")
        {
            return new InMemoryStudyStorage();
        }

        int colon = url.IndexOf("://", StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ArgumentException($"The storage URL must be 'memory' or 'scheme://…' (for example sqlite:///study.db), but got a value without '://' (not shown: a connection string may hold a password).", nameof(url));
        }

        string scheme = url[..colon];
        Func<string, IStudyStorage>? factory;
        if (!Schemes.TryGetValue(scheme, out factory) && ProviderAssemblies.TryGetValue(scheme, out string? assembly) && TryLoadProvider(assembly))
        {
            Schemes.TryGetValue(scheme, out factory);
        }

        return factory is not null
            ? factory(url)
            : throw new ArgumentException($"The storage URL scheme '{scheme}' is not known (in '{Secrets.Redact(url)}'). Known: memory, {string.Join(", ", Schemes.Keys.Order(StringComparer.Ordinal))}. PostgreSQL needs the Hpo.PostgreSql package.", nameof(url));
    }

    /// <summary>
    /// Loads a provider package's assembly when it is deployed with the application but not loaded yet, so that its module
    /// initializer registers its schemes: referencing the package is enough for <see cref="Open"/> to know them.
    /// </summary>
    private static bool TryLoadProvider(string assemblyName)
    {
        try
        {
            Assembly provider = Assembly.Load(new AssemblyName(assemblyName));
            RuntimeHelpers.RunModuleConstructor(provider.ManifestModule.ModuleHandle);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>Registers (or replaces) a URL scheme.</summary>
    /// <param name="scheme">The scheme, without <c>://</c>.</param>
    /// <param name="factory">Opens a storage from a full URL.</param>
    public static void RegisterScheme(string scheme, Func<string, IStudyStorage> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        ArgumentNullException.ThrowIfNull(factory);
        Schemes[scheme] = factory;
    }

    /// <summary>
    /// Masks the credentials of a storage URL (or of a message quoting one) for logs and messages: the URL's password, password-like
    /// query options and <c>Password=</c> pairs become <c>***</c>.
    /// </summary>
    /// <param name="text">A storage URL, a connection string, or a message that quotes them.</param>
    /// <returns>The text without its credentials.</returns>
    public static string Redact(string? text) => Secrets.Redact(text);

    /// <summary>What <see cref="Redact"/> puts in place of a credential.</summary>
    public const string SecretMask = Secrets.Mask;

    /// <summary>
    /// Gets the credentials a storage URL or connection string holds (as written, and percent-decoded), so that a program that was given
    /// them can mask them wherever they show up later, even quoted by another library. Credentials shorter than four characters are
    /// left out (masking every occurrence would garble the text); <see cref="Redact"/> still masks them in URLs.
    /// </summary>
    /// <param name="text">A URL or a connection string.</param>
    /// <returns>The credentials.</returns>
    public static IReadOnlyList<string> FindSecrets(string? text) => Secrets.Find(text);

    /// <summary>Turns a <c>sqlite://</c> URL into a file path: three slashes then a relative path, four for an absolute one.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The path.</returns>
    /// <exception cref="ArgumentException">The URL does not name a file.</exception>
    public static string SqlitePath(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        const string prefix = "sqlite:///";
        if (!url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || url.Length == prefix.Length)
        {
            throw new ArgumentException($"A SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db, but got '{Secrets.Redact(url)}'.", nameof(url));
        }

        string path = Uri.UnescapeDataString(url[prefix.Length..]);
        int query = path.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? path[..query] : path;
    }
}
