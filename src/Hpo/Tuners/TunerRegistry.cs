using System.Collections.Concurrent;
using Hpo.Tuners.GaussianProcess;
using Hpo.Tuners.Genetic;
using Hpo.Tuners.RandomSearch;
using Hpo.Tuners.SimulatedAnnealing;

namespace Hpo.Tuners;

/// <summary>
/// Maps the tuner names stored with studies to factories, so that a process that opens a study by name rebuilds its tuner
/// from the stored settings. The built-in tuners are registered; register your own before opening studies that use them.
/// </summary>
public static class TunerRegistry
{
    private static readonly ConcurrentDictionary<string, Func<string, ITuner>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [RandomSearchTuner.TunerName] = settings => new RandomSearchTuner(RandomSearchTunerOptions.FromJson(settings)),
        [GaussianProcessTuner.TunerName] = settings => new GaussianProcessTuner(GaussianProcessTunerOptions.FromJson(settings)),
        [GeneticTuner.TunerName] = settings => new GeneticTuner(GeneticTunerOptions.FromJson(settings)),
        [SimulatedAnnealingTuner.TunerName] = settings => new SimulatedAnnealingTuner(SimulatedAnnealingTunerOptions.FromJson(settings)),
    };

    /// <summary>Gets the registered names.</summary>
    public static IReadOnlyCollection<string> Names => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers (or replaces) a tuner factory.</summary>
    /// <param name="name">The tuner's name, as its <see cref="ITuner.Name"/> returns it.</param>
    /// <param name="factory">Builds the tuner from its stored settings JSON.</param>
    public static void Register(string name, Func<string, ITuner> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[name] = factory;
    }

    /// <summary>Creates a tuner by name.</summary>
    /// <param name="name">The registered name.</param>
    /// <param name="settings">Its settings JSON; <c>{}</c> for the defaults.</param>
    /// <returns>The tuner.</returns>
    /// <exception cref="ArgumentException">No tuner is registered under that name.</exception>
    public static ITuner Create(string name, string settings = "{}")
    {
        ArgumentNullException.ThrowIfNull(name);
        return Factories.TryGetValue(name, out Func<string, ITuner>? factory)
            ? factory(string.IsNullOrWhiteSpace(settings) ? "{}" : settings)
            : throw new ArgumentException($"No tuner is registered under the name '{name}'. Registered: {string.Join(", ", Names)}. Register custom tuners with TunerRegistry.Register before opening the study.", nameof(name));
    }
}
