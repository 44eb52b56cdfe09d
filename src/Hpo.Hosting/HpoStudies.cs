using Hpo.Pruners;
using Hpo.Registries;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Tuners;
using Microsoft.Extensions.Logging;

namespace Hpo.Hosting;

/// <summary>Opens and creates studies in the registered storage, logging through the host's <see cref="ILoggerFactory"/>.</summary>
public sealed class HpoStudies
{
    private readonly ILoggerFactory loggerFactory;
    private readonly TunerRegistry tuners;
    private readonly PrunerRegistry pruners;

    /// <summary>Initializes a new instance of the <see cref="HpoStudies"/> class that opens studies with the default registries.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="loggerFactory">The host's logger factory.</param>
    public HpoStudies(IStudyStorage storage, ILoggerFactory loggerFactory)
        : this(storage, loggerFactory, TunerRegistry.Default, PrunerRegistry.Default)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HpoStudies"/> class.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="loggerFactory">The host's logger factory.</param>
    /// <param name="tuners">The registry that rebuilds stored tuners (the host's, registered by <c>AddHpo</c>).</param>
    /// <param name="pruners">The registry that rebuilds stored pruners.</param>
    public HpoStudies(IStudyStorage storage, ILoggerFactory loggerFactory, TunerRegistry tuners, PrunerRegistry pruners)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(tuners);
        ArgumentNullException.ThrowIfNull(pruners);
        Storage = storage;
        this.loggerFactory = loggerFactory;
        this.tuners = tuners;
        this.pruners = pruners;
    }

    /// <summary>Gets the storage.</summary>
    public IStudyStorage Storage { get; }

    /// <summary>Opens an existing study.</summary>
    /// <param name="name">The study's name.</param>
    /// <param name="tuner">A tuner instead of the one stored with the study; <see langword="null"/> for the stored one.</param>
    /// <param name="pruner">A pruner instead of the stored one; <see langword="null"/> for the stored one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The study.</returns>
    public Task<Study> LoadAsync(string name, ITuner? tuner = null, IPruner? pruner = null, CancellationToken cancellationToken = default) =>
        Study.LoadAsync(Storage, name, new StudyOptions { Tuner = tuner, Pruner = pruner, LoggerFactory = loggerFactory, TunerRegistry = tuners, PrunerRegistry = pruners }, cancellationToken);

    /// <summary>Opens a study, creating it when it does not exist. Its logs go to the host's loggers unless <paramref name="options"/> name a logger factory.</summary>
    /// <param name="name">The study's name.</param>
    /// <param name="searchSpace">The search space (it must match the stored one when the study exists).</param>
    /// <param name="options">The study's options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The study.</returns>
    public Task<Study> CreateOrLoadAsync(string name, ISearchSpace searchSpace, StudyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StudyOptions();
        options.LoggerFactory ??= loggerFactory;
        options.TunerRegistry ??= tuners;
        options.PrunerRegistry ??= pruners;
        return Study.CreateOrLoadAsync(Storage, name, searchSpace, options, cancellationToken);
    }
}
