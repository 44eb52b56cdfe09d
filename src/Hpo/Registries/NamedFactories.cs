using System.Collections.Concurrent;

namespace Hpo.Registries;

/// <summary>
/// The one names-to-factories table behind every registry (<see cref="TunerRegistry"/>, <see cref="PrunerRegistry"/> and
/// <see cref="StorageRegistry"/>): case-insensitive names, thread-safe registration, a name rule checked on every registration,
/// names listed in ordinal order, and, for components built from settings, one error message naming the unknown name and the
/// registered ones.
/// </summary>
/// <typeparam name="T">The kind of component built; each factory takes one string (settings JSON, or a storage URL).</typeparam>
internal sealed class NamedFactories<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, Func<string, T>> factories;
    private readonly string kind;
    private readonly string registryName;
    private readonly Action<string>? checkName;

    /// <summary>Initializes a new instance of the <see cref="NamedFactories{T}"/> class.</summary>
    /// <param name="kind">What is built, for messages ("tuner").</param>
    /// <param name="registryName">The public registry's type name, for messages.</param>
    /// <param name="entries">The first registrations (trusted: built-ins, or another table's entries).</param>
    /// <param name="checkName">
    /// Throws an <see cref="ArgumentException"/> for a name the registry does not accept; <see langword="null"/> accepts any name
    /// that is not empty or white space.
    /// </param>
    public NamedFactories(string kind, string registryName, IEnumerable<KeyValuePair<string, Func<string, T>>> entries, Action<string>? checkName = null)
    {
        this.kind = kind;
        this.registryName = registryName;
        this.checkName = checkName;
        factories = new ConcurrentDictionary<string, Func<string, T>>(entries, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<string> Names => [.. factories.Keys.Order(StringComparer.Ordinal)];

    public IEnumerable<KeyValuePair<string, Func<string, T>>> Entries => factories;

    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return factories.ContainsKey(name);
    }

    public void Register(string name, Func<string, T> factory)
    {
        if (checkName is null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
        }
        else
        {
            ArgumentNullException.ThrowIfNull(name);
            checkName(name);
        }

        ArgumentNullException.ThrowIfNull(factory);
        factories[name] = factory;
    }

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Func<string, T>? factory)
    {
        ArgumentNullException.ThrowIfNull(name);
        return factories.TryGetValue(name, out factory);
    }

    public T Create(string name, string? settings)
    {
        ArgumentNullException.ThrowIfNull(name);
        return factories.TryGetValue(name, out Func<string, T>? factory)
            ? factory(string.IsNullOrWhiteSpace(settings) ? "{}" : settings)
            : throw new ArgumentException($"No {kind} is registered under the name '{name}'. Registered: {string.Join(", ", Names)}. Register custom {kind}s with Register on the registry the study is opened with ({registryName}.Default, unless StudyOptions.{registryName} names another) before opening the study.", nameof(name));
    }
}
