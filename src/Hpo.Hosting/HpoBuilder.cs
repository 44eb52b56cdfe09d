using Hpo.Objectives;
using Hpo.Pruners;
using Hpo.Registries;
using Hpo.Storage;
using Hpo.Storage.Providers;
using Hpo.Tuners;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hpo.Hosting;

/// <summary>Registers tuners, pruners, storage schemes and the hosted worker after <see cref="HpoServiceCollectionExtensions.AddHpo"/>.</summary>
public sealed class HpoBuilder
{
    /// <summary>Initializes a new instance of the <see cref="HpoBuilder"/> class.</summary>
    /// <param name="services">The services Hpo is registered in.</param>
    public HpoBuilder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>Gets the services Hpo is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers a custom tuner under its name in the host's <see cref="TunerRegistry"/> (a service; a copy of
    /// <see cref="TunerRegistry.Default"/> made by <see cref="HpoServiceCollectionExtensions.AddHpo"/>), so that the host's
    /// studies (<see cref="HpoStudies"/>, the hosted worker) that store that name can be opened. The process-wide default is
    /// not changed.
    /// </summary>
    /// <param name="name">The tuner's name, as its <see cref="ITuner.Name"/> returns it.</param>
    /// <param name="factory">Builds the tuner from its stored settings JSON.</param>
    /// <returns>This builder.</returns>
    public HpoBuilder AddTuner(string name, Func<string, ITuner> factory)
    {
        Registry(() => new TunerRegistry(TunerRegistry.Default)).Register(name, factory);
        return this;
    }

    /// <summary>
    /// Registers a custom pruner under its name in the host's <see cref="PrunerRegistry"/> (a service, like the tuner registry of
    /// <see cref="AddTuner"/>). The process-wide default is not changed.
    /// </summary>
    /// <param name="name">The pruner's name, as its <see cref="IPruner.Name"/> returns it.</param>
    /// <param name="factory">Builds the pruner from its stored settings JSON.</param>
    /// <returns>This builder.</returns>
    public HpoBuilder AddPruner(string name, Func<string, IPruner> factory)
    {
        Registry(() => new PrunerRegistry(PrunerRegistry.Default)).Register(name, factory);
        return this;
    }

    /// <summary>
    /// Registers a storage URL scheme in the host's <see cref="StorageRegistry"/> (a service; a copy of <see cref="StorageRegistry.Default"/>
    /// made by <see cref="HpoServiceCollectionExtensions.AddHpo"/>), with which the host opens the storage its options name. The
    /// process-wide default is not changed.
    /// </summary>
    /// <param name="scheme">The scheme, without <c>://</c>.</param>
    /// <param name="factory">Opens a storage from the whole URL.</param>
    /// <returns>This builder.</returns>
    public HpoBuilder AddStorageScheme(string scheme, Func<string, IStudyStorage> factory)
    {
        Registry(() => new StorageRegistry(StorageRegistry.Default)).Register(scheme, factory);
        return this;
    }

    /// <summary>
    /// Registers every scheme of a storage provider in the host's <see cref="StorageRegistry"/> (see <see cref="AddStorageScheme"/>).
    /// The process-wide default is not changed.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <returns>This builder.</returns>
    public HpoBuilder AddStorageProvider(IStudyStorageProvider provider)
    {
        Registry(() => new StorageRegistry(StorageRegistry.Default)).Register(provider);
        return this;
    }

    /// <summary>Finds the registry instance registered as a service, registering a new one when there is none.</summary>
    private T Registry<T>(Func<T> create)
        where T : class
    {
        if (Services.LastOrDefault(d => d.ServiceType == typeof(T) && !d.IsKeyedService)?.ImplementationInstance is T registered)
        {
            return registered;
        }

        T registry = create();
        Services.AddSingleton(registry);
        return registry;
    }

    /// <summary>
    /// Adds the hosted worker (<see cref="HpoWorkerService"/>): it runs the trials of the study that <see cref="HpoWorkerOptions"/>
    /// name (bound from <c>Hpo:Worker</c>, then <paramref name="configure"/>), with the configured command as child processes or
    /// with the <see cref="IObjective"/> registered in the container, and stops gracefully with the host.
    /// </summary>
    /// <param name="configure">Sets worker options in code (after configuration); <see langword="null"/> for none.</param>
    /// <returns>This builder.</returns>
    public HpoBuilder AddWorker(Action<HpoWorkerOptions>? configure = null)
    {
        Services.AddSingleton<IConfigureOptions<HpoWorkerOptions>>(sp => new ConfigureOptions<HpoWorkerOptions>(o => sp.GetService<IConfiguration>()?.GetSection(HpoWorkerOptions.SectionName).Bind(o)));
        if (configure is not null)
        {
            Services.Configure(configure);
        }

        Services.TryAddSingleton<HpoWorkerService>();
        Services.AddHostedService(sp => sp.GetRequiredService<HpoWorkerService>());
        return this;
    }

    /// <summary>Adds the hosted worker with <typeparamref name="TObjective"/> (a singleton) as its objective.</summary>
    /// <typeparam name="TObjective">The objective.</typeparam>
    /// <param name="configure">Sets worker options in code (after configuration); <see langword="null"/> for none.</param>
    /// <returns>This builder.</returns>
    public HpoBuilder AddWorker<TObjective>(Action<HpoWorkerOptions>? configure = null)
        where TObjective : class, IObjective
    {
        Services.TryAddSingleton<IObjective, TObjective>();
        return AddWorker(configure);
    }
}
