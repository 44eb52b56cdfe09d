using Hpo.Pruners;
using Hpo.Pruners.Hyperband;
using Hpo.Pruners.Median;
using Hpo.Pruners.Percentile;
using Hpo.Pruners.SuccessiveHalving;

namespace Hpo.Registries;

/// <summary>
/// Maps the pruner names stored with studies to factories, so that a process that opens a study by name rebuilds its pruner
/// from the stored settings. A new registry knows the built-in pruners (<c>median</c>, <c>percentile</c>, <c>asha</c>, <c>hyperband</c>).
/// </summary>
/// <remarks>
/// Registries are instances: a study is opened with the registry its options name (<see cref="Studies.StudyOptions.PrunerRegistry"/>),
/// or with <see cref="Default"/>, the process-wide instance kept for convenience. A host that registers custom pruners for
/// its own studies uses its own registry (Hpo.Hosting's <c>AddHpo</c> does), so two hosts in one process do not see each
/// other's registrations. Thread-safe.
/// </remarks>
public sealed class PrunerRegistry
{
    private readonly NamedFactories<IPruner> factories;

    /// <summary>Initializes a new instance of the <see cref="PrunerRegistry"/> class that knows the built-in pruners.</summary>
    public PrunerRegistry()
        : this(BuiltIns())
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="PrunerRegistry"/> class with the registrations of <paramref name="source"/>
    /// at this moment (later registrations on either are not shared).
    /// </summary>
    /// <param name="source">The registry to copy, for example <see cref="Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public PrunerRegistry(PrunerRegistry source)
        : this(Copy(source))
    {
    }

    private PrunerRegistry(IEnumerable<KeyValuePair<string, Func<string, IPruner>>> entries) =>
        factories = new NamedFactories<IPruner>("pruner", nameof(PrunerRegistry), entries);

    /// <summary>Gets the process-wide registry, used when options name no other.</summary>
    public static PrunerRegistry Default { get; } = new();

    /// <summary>Gets the registered names, in ordinal order.</summary>
    public IReadOnlyCollection<string> Names => factories.Names;

    /// <summary>Gets whether a pruner is registered under <paramref name="name"/> (ignoring case).</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when <see cref="Create"/> knows the name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public bool Contains(string name) => factories.Contains(name);

    /// <summary>Registers (or replaces) a pruner factory.</summary>
    /// <param name="name">The pruner's name, as its <see cref="IPruner.Name"/> returns it.</param>
    /// <param name="factory">Builds the pruner from its stored settings JSON.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="factory"/> is null.</exception>
    public void Register(string name, Func<string, IPruner> factory) => factories.Register(name, factory);

    /// <summary>Creates a pruner by name.</summary>
    /// <param name="name">The registered name.</param>
    /// <param name="settings">Its settings JSON; <c>{}</c> for the defaults.</param>
    /// <returns>The pruner.</returns>
    /// <exception cref="ArgumentException">No pruner is registered under that name, or the settings are out of range.</exception>
    /// <exception cref="FormatException">The settings are not the pruner's JSON.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public IPruner Create(string name, string settings = "{}") => factories.Create(name, settings);

    private static IEnumerable<KeyValuePair<string, Func<string, IPruner>>> Copy(PrunerRegistry source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.factories.Entries;
    }

    private static Dictionary<string, Func<string, IPruner>> BuiltIns() => new()
    {
        [MedianPruner.PrunerName] = settings => new MedianPruner(MedianPrunerOptions.FromJson(settings)),
        [PercentilePruner.PrunerName] = settings => new PercentilePruner(PercentilePrunerOptions.FromJson(settings)),
        [SuccessiveHalvingPruner.PrunerName] = settings => new SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions.FromJson(settings)),
        [HyperbandPruner.PrunerName] = settings => new HyperbandPruner(HyperbandPrunerOptions.FromJson(settings)),
    };
}
