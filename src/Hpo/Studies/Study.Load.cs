using Hpo.Pruners;
using Hpo.Registries;
using Hpo.Storage;
using Hpo.Tuners;

namespace Hpo.Studies;

/// <content>Opening an existing study with options (registries, logger, clock, a tuner or pruner instance).</content>
public sealed partial class Study
{
    /// <summary>
    /// Opens an existing study, rebuilding its stored tuner and pruner through the registries that <paramref name="options"/>
    /// name (or taking <see cref="StudyOptions.Tuner"/> and <see cref="StudyOptions.Pruner"/> when they carry the stored names).
    /// Only the options that are not stored with a study are used: the registries, the tuner and pruner instances, the
    /// logger factory and the clock.
    /// </summary>
    /// <param name="storage">The storage.</param>
    /// <param name="name">The study's name.</param>
    /// <param name="options">The options; see above for the ones used.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The study.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="storage"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="KeyNotFoundException">The storage has no study with that name.</exception>
    /// <exception cref="ArgumentException">The stored tuner or pruner is not registered in the registry used.</exception>
    public static async Task<Study> LoadAsync(IStudyStorage storage, string name, StudyOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        StudyRecord record = await storage.GetStudyAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"The storage has no study named '{name}'. Create it with Study.CreateAsync (or CreateOrLoadAsync).");
        ITuner tuner = options.Tuner is { } t && t.Name == record.Definition.TunerName
            ? t
            : (options.TunerRegistry ?? TunerRegistry.Default).Create(record.Definition.TunerName, record.Definition.TunerSettings);
        IPruner? pruner = record.Definition.PrunerName is not string prunerName ? null
            : options.Pruner is { } p && p.Name == prunerName ? p
            : (options.PrunerRegistry ?? PrunerRegistry.Default).Create(prunerName, record.Definition.PrunerSettings);
        return await LoadAsync(storage, name, tuner, pruner, options.LoggerFactory, options.TimeProvider, cancellationToken).ConfigureAwait(false);
    }
}
