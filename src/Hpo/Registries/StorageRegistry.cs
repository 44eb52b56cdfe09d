using System.Reflection;
using Hpo.Internal;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Storage.Providers;
using Hpo.Storage.Sqlite;

namespace Hpo.Registries;

/// <summary>
/// Opens storages from URLs: maps URL schemes to the providers that open them. A new registry knows <c>memory</c> (also
/// <c>memory://</c> and <c>:memory:</c>) and <c>sqlite</c> (<c>sqlite:///relative.db</c>, <c>sqlite:////absolute.db</c>), and
/// discovers <c>postgresql</c> and <c>postgres</c> when the Hpo.PostgreSql package is deployed with the application.
/// </summary>
/// <remarks>
/// Registries are instances: <see cref="Default"/> is the process-wide one kept for convenience
/// (<c>StorageRegistry.Default.Open("sqlite:///tuning.db")</c>); a host or tool that registers its own schemes uses its own registry
/// (Hpo.Hosting's <c>AddHpo</c> does), so that two of them in one process do not see each other's registrations. Discovery: the first
/// time a URL of a scheme that is not registered is opened, and a known package provides that scheme, the registry loads the package's
/// assembly (when it is deployed) and registers the providers its <see cref="StudyStorageProviderAttribute"/>s name; registering the
/// provider explicitly (<see cref="Register(IStudyStorageProvider)"/>) avoids that reflective step. Thread-safe.
/// </remarks>
public sealed class StorageRegistry
{
    /// <summary>The first-party packages whose providers are discovered on demand, by scheme.</summary>
    private static readonly Dictionary<string, string> ProviderAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["postgresql"] = "Hpo.PostgreSql",
        ["postgres"] = "Hpo.PostgreSql",
    };

    private readonly NamedFactories<IStudyStorage> schemes;

    /// <summary>Initializes a new instance of the <see cref="StorageRegistry"/> class that knows <c>memory</c> and <c>sqlite</c>.</summary>
    public StorageRegistry()
    {
        schemes = NewTable([]);
        Register(new InMemoryStorageProvider());
        Register(new SqliteStorageProvider());
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="StorageRegistry"/> class with the registrations of <paramref name="source"/> at
    /// this moment (later registrations on either are not shared).
    /// </summary>
    /// <param name="source">The registry to copy, for example <see cref="Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public StorageRegistry(StorageRegistry source)
    {
        ArgumentNullException.ThrowIfNull(source);
        schemes = NewTable(source.schemes.Entries);
    }

    /// <summary>Gets the process-wide registry, used when options name no other.</summary>
    public static StorageRegistry Default { get; } = new();

    /// <summary>Gets the registered schemes, in ordinal order (discovered ones once discovered).</summary>
    public IReadOnlyCollection<string> Schemes => schemes.Names;

    /// <summary>Gets whether a scheme is registered (ignoring case).</summary>
    /// <param name="scheme">The scheme, without <c>://</c>.</param>
    /// <returns><see langword="true"/> when <see cref="Open"/> knows the scheme without discovering it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scheme"/> is null.</exception>
    public bool Contains(string scheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        return schemes.Contains(scheme);
    }

    /// <summary>Registers (or replaces) a URL scheme.</summary>
    /// <param name="scheme">The scheme, without <c>://</c>: letters, digits, <c>+</c>, <c>-</c> and <c>.</c>, starting with a letter.</param>
    /// <param name="factory">Opens a storage from the whole URL.</param>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is not a URL scheme.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="scheme"/> or <paramref name="factory"/> is null.</exception>
    public void Register(string scheme, Func<string, IStudyStorage> factory)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(factory);
        schemes.Register(scheme, factory);
    }

    /// <summary>Registers (or replaces) every scheme of a provider.</summary>
    /// <param name="provider">The provider.</param>
    /// <exception cref="ArgumentException">The provider names no scheme, or one that is not a URL scheme.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is null.</exception>
    public void Register(IStudyStorageProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        IReadOnlyList<string>? names = provider.Schemes;
        if (names is null || names.Count == 0)
        {
            throw new ArgumentException($"The storage provider {provider.GetType().FullName} must name at least one scheme, but its Schemes is {(names is null ? "null" : "empty")}.", nameof(provider));
        }

        foreach (string? name in names)
        {
            if (name is null || !IsScheme(name))
            {
                throw new ArgumentException($"The storage provider {provider.GetType().FullName} must name URL schemes (a letter, then letters, digits, '+', '-' and '.'), but one of its Schemes is '{name ?? "null"}'.", nameof(provider));
            }
        }

        foreach (string name in names)
        {
            schemes.Register(name, provider.Open);
        }
    }

    /// <summary>Opens the storage a URL names.</summary>
    /// <param name="url"><c>memory</c>, <c>sqlite:///relative.db</c>, <c>sqlite:////absolute.db</c>, or a URL of a registered scheme.</param>
    /// <returns>The storage; dispose it when done.</returns>
    /// <exception cref="ArgumentException">The URL is malformed or its scheme is unknown.</exception>
    public IStudyStorage Open(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        string scheme = url is "memory" or ":memory:" ? InMemoryStorageProvider.Scheme : SchemeOf(url);
        if (!schemes.TryGet(scheme, out Func<string, IStudyStorage>? factory) && Discover(scheme))
        {
            schemes.TryGet(scheme, out factory);
        }

        return factory is not null
            ? factory(url)
            : throw new ArgumentException($"The storage URL scheme '{scheme}' is not known (in '{Secrets.Redact(url)}'). Known: {string.Join(", ", Schemes)}. PostgreSQL needs the Hpo.PostgreSql package; other providers are registered with StorageRegistry.Register.", nameof(url));
    }

    private static string SchemeOf(string url)
    {
        // The value is not quoted: a connection string given by mistake may hold a password.
        int separator = url.IndexOf("://", StringComparison.Ordinal);
        return separator > 0 && IsScheme(url[..separator])
            ? url[..separator]
            : throw new ArgumentException("The storage URL must be 'memory' or 'scheme://…' with a scheme of letters, digits, '+', '-' and '.' (for example sqlite:///study.db), but got a value without one (not shown: a connection string may hold a password).", nameof(url));
    }

    /// <summary>The registry's table: names are URL schemes, checked by <see cref="CheckScheme"/>.</summary>
    private static NamedFactories<IStudyStorage> NewTable(IEnumerable<KeyValuePair<string, Func<string, IStudyStorage>>> entries) =>
        new("storage provider", nameof(StorageRegistry), entries, CheckScheme);

    private static void CheckScheme(string scheme)
    {
        if (!IsScheme(scheme))
        {
            throw new ArgumentException($"A storage URL scheme starts with a letter and holds only letters, digits, '+', '-' and '.' (RFC 3986), without '://', but got '{scheme}'.", nameof(scheme));
        }
    }

    private static bool IsScheme(string scheme) =>
        scheme.Length > 0 && char.IsAsciiLetter(scheme[0]) && scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');

    /// <summary>
    /// Registers the providers of the package that provides <paramref name="scheme"/>, when that package is deployed with the
    /// application (loaded or not yet).
    /// </summary>
    private bool Discover(string scheme)
    {
        if (!ProviderAssemblies.TryGetValue(scheme, out string? assemblyName))
        {
            return false;
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return false;
        }

        foreach (StudyStorageProviderAttribute attribute in assembly.GetCustomAttributes<StudyStorageProviderAttribute>())
        {
            IStudyStorageProvider provider = Activator.CreateInstance(attribute.ProviderType) as IStudyStorageProvider
                ?? throw new InvalidOperationException($"The assembly {assemblyName} names {attribute.ProviderType.FullName} as a storage provider, but it does not implement {nameof(IStudyStorageProvider)}.");
            Register(provider);
        }

        return schemes.Contains(scheme);
    }
}
