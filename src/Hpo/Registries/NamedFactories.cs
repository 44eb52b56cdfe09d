using System.Collections.Concurrent;

namespace Hpo.Registries;

/// <summary>
/// The names-to-factories map behind <see cref="TunerRegistry"/> and <see cref="PrunerRegistry"/>: case-insensitive names,
/// thread-safe registration, and one error message naming the unknown name and the registered ones.
/// </summary>
/// <typeparam name="T">The kind of component built.</typeparam>
internal sealed class NamedFactories<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, Func<string, T>> factories;
    private readonly string kind;
    private readonly string registryName;

    public NamedFactories(string kind, string registryName, IEnumerable<KeyValuePair<string, Func<string, T>>> entries)
    {
        this.kind = kind;
        this.registryName = registryName;
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
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        factories[name] = factory;
    }

    public T Create(string name, string? settings)
    {
        ArgumentNullException.ThrowIfNull(name);
        return factories.TryGetValue(name, out Func<string, T>? factory)
            ? factory(string.IsNullOrWhiteSpace(settings) ? "{}" : settings)
            : throw new ArgumentException($"No {kind} is registered under the name '{name}'. Registered: {string.Join(", ", Names)}. Register custom {kind}s with Register on the registry the study is opened with ({registryName}.Default, unless StudyOptions.{registryName} names another) before opening the study.", nameof(name));
    }
}
