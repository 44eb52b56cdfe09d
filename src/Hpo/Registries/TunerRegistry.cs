using Hpo.Tuners;
using Hpo.Tuners.GaussianProcess;
using Hpo.Tuners.Genetic;
using Hpo.Tuners.RandomSearch;
using Hpo.Tuners.SimulatedAnnealing;

namespace Hpo.Registries;

/// <summary>
/// Maps the tuner names stored with studies to factories, so that a process that opens a study by name rebuilds its tuner
/// from the stored settings. A new registry knows the built-in tuners (<c>random</c>, <c>gp</c>, <c>ga</c>, <c>sa</c>).
/// </summary>
/// <remarks>
/// Registries are instances: a study is opened with the registry its options name (<see cref="Studies.StudyOptions.TunerRegistry"/>),
/// or with <see cref="Default"/>, the process-wide instance kept for convenience. A host that registers custom tuners for
/// its own studies uses its own registry (Hpo.Hosting's <c>AddHpo</c> does), so two hosts in one process do not see each
/// other's registrations. Thread-safe.
/// </remarks>
public sealed class TunerRegistry
{
    private readonly NamedFactories<ITuner> factories;

    /// <summary>Initializes a new instance of the <see cref="TunerRegistry"/> class that knows the built-in tuners.</summary>
    public TunerRegistry()
        : this(BuiltIns())
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="TunerRegistry"/> class with the registrations of <paramref name="source"/>
    /// at this moment (later registrations on either are not shared).
    /// </summary>
    /// <param name="source">The registry to copy, for example <see cref="Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public TunerRegistry(TunerRegistry source)
        : this(Copy(source))
    {
    }

    private TunerRegistry(IEnumerable<KeyValuePair<string, Func<string, ITuner>>> entries) =>
        factories = new NamedFactories<ITuner>("tuner", nameof(TunerRegistry), entries);

    /// <summary>Gets the process-wide registry, used when options name no other.</summary>
    public static TunerRegistry Default { get; } = new();

    /// <summary>Gets the registered names, in ordinal order.</summary>
    public IReadOnlyCollection<string> Names => factories.Names;

    /// <summary>Gets whether a tuner is registered under <paramref name="name"/> (ignoring case).</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when <see cref="Create"/> knows the name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public bool Contains(string name) => factories.Contains(name);

    /// <summary>Registers (or replaces) a tuner factory.</summary>
    /// <param name="name">The tuner's name, as its <see cref="ITuner.Name"/> returns it.</param>
    /// <param name="factory">Builds the tuner from its stored settings JSON.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="factory"/> is null.</exception>
    public void Register(string name, Func<string, ITuner> factory) => factories.Register(name, factory);

    /// <summary>Creates a tuner by name.</summary>
    /// <param name="name">The registered name.</param>
    /// <param name="settings">Its settings JSON; <c>{}</c> for the defaults.</param>
    /// <returns>The tuner.</returns>
    /// <exception cref="ArgumentException">No tuner is registered under that name, or the settings are out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public ITuner Create(string name, string settings = "{}") => factories.Create(name, settings);

    private static IEnumerable<KeyValuePair<string, Func<string, ITuner>>> Copy(TunerRegistry source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.factories.Entries;
    }

    private static Dictionary<string, Func<string, ITuner>> BuiltIns() => new()
    {
        [RandomSearchTuner.TunerName] = settings => new RandomSearchTuner(RandomSearchTunerOptions.FromJson(settings)),
        [GaussianProcessTuner.TunerName] = settings => new GaussianProcessTuner(GaussianProcessTunerOptions.FromJson(settings)),
        [GeneticTuner.TunerName] = settings => new GeneticTuner(GeneticTunerOptions.FromJson(settings)),
        [SimulatedAnnealingTuner.TunerName] = settings => new SimulatedAnnealingTuner(SimulatedAnnealingTunerOptions.FromJson(settings)),
    };
}
