using System.Collections.Concurrent;
using Hpo.Pruners.Hyperband;
using Hpo.Pruners.Median;
using Hpo.Pruners.Percentile;
using Hpo.Pruners.SuccessiveHalving;

namespace Hpo.Pruners;

/// <summary>
/// Maps the pruner names stored with studies to factories, so that a process that opens a study by name rebuilds its pruner
/// from the stored settings. The built-in pruners are registered (<c>median</c>, <c>percentile</c>, <c>asha</c>,
/// <c>hyperband</c>); register your own before opening studies that use them.
/// </summary>
public static class PrunerRegistry
{
    private static readonly ConcurrentDictionary<string, Func<string, IPruner>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [MedianPruner.PrunerName] = settings => new MedianPruner(MedianPrunerOptions.FromJson(settings)),
        [PercentilePruner.PrunerName] = settings => new PercentilePruner(PercentilePrunerOptions.FromJson(settings)),
        [SuccessiveHalvingPruner.PrunerName] = settings => new SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions.FromJson(settings)),
        [HyperbandPruner.PrunerName] = settings => new HyperbandPruner(HyperbandPrunerOptions.FromJson(settings)),
    };

    /// <summary>Gets the registered names.</summary>
    public static IReadOnlyCollection<string> Names => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers (or replaces) a pruner factory.</summary>
    /// <param name="name">The pruner's name, as its <see cref="IPruner.Name"/> returns it.</param>
    /// <param name="factory">Builds the pruner from its stored settings JSON.</param>
    public static void Register(string name, Func<string, IPruner> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[name] = factory;
    }

    /// <summary>Creates a pruner by name.</summary>
    /// <param name="name">The registered name.</param>
    /// <param name="settings">Its settings JSON; <c>{}</c> for the defaults.</param>
    /// <returns>The pruner.</returns>
    /// <exception cref="ArgumentException">No pruner is registered under that name, or the settings are out of range.</exception>
    /// <exception cref="FormatException">The settings are not the pruner's JSON.</exception>
    public static IPruner Create(string name, string settings = "{}")
    {
        ArgumentNullException.ThrowIfNull(name);
        return Factories.TryGetValue(name, out Func<string, IPruner>? factory)
            ? factory(string.IsNullOrWhiteSpace(settings) ? "{}" : settings)
            : throw new ArgumentException($"No pruner is registered under the name '{name}'. Registered: {string.Join(", ", Names)}. Register custom pruners with PrunerRegistry.Register before opening the study.", nameof(name));
    }
}
