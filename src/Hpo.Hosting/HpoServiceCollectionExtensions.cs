using Hpo.Registries;
using Hpo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hpo.Hosting;

/// <summary>Registers Hpo in a service collection.</summary>
public static class HpoServiceCollectionExtensions
{
    /// <summary>
    /// Registers Hpo: <see cref="HpoOptions"/> bound from the <c>Hpo</c> configuration section (then <paramref name="configure"/>,
    /// then <c>HPO_STORAGE</c> when no storage is set), the <see cref="IStudyStorage"/> they name (a singleton opened on first use,
    /// disposed with the container), and <see cref="HpoStudies"/>, which opens studies that log through the host's
    /// <see cref="ILoggerFactory"/>, and the host's own <see cref="TunerRegistry"/>, <see cref="PrunerRegistry"/> and
    /// <see cref="StorageRegistry"/> (copies of the defaults, to which <see cref="HpoBuilder.AddTuner"/>, <see cref="HpoBuilder.AddPruner"/>,
    /// <see cref="HpoBuilder.AddStorageScheme"/> and <see cref="HpoBuilder.AddStorageProvider"/> add; the storage is opened with it).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets options in code (after configuration); <see langword="null"/> for none.</param>
    /// <returns>A builder to register tuners, pruners and the hosted worker.</returns>
    public static HpoBuilder AddHpo(this IServiceCollection services, Action<HpoOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.AddSingleton<IConfigureOptions<HpoOptions>>(sp => new ConfigureOptions<HpoOptions>(o => sp.GetService<IConfiguration>()?.GetSection(HpoOptions.SectionName).Bind(o)));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.PostConfigure<HpoOptions>(o =>
        {
            if (string.IsNullOrWhiteSpace(o.Storage) && Environment.GetEnvironmentVariable(HpoOptions.StorageEnvironmentVariable) is { } url && !string.IsNullOrWhiteSpace(url))
            {
                o.Storage = url.Trim();
            }
        });
        services.TryAddSingleton(OpenStorage);
        services.TryAddSingleton<HpoStudies>();

        // The host's own registries, copies of the defaults at this moment: AddTuner and AddPruner register in them, so
        // the registrations of one host do not leak into the process-wide defaults or into another host.
        services.TryAddSingleton(new TunerRegistry(TunerRegistry.Default));
        services.TryAddSingleton(new PrunerRegistry(PrunerRegistry.Default));
        services.TryAddSingleton(new StorageRegistry(StorageRegistry.Default));
        return new HpoBuilder(services);
    }

    private static IStudyStorage OpenStorage(IServiceProvider services)
    {
        HpoOptions options = services.GetRequiredService<IOptions<HpoOptions>>().Value.Clone();
        ILogger logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Hpo.Hosting");
        if (string.IsNullOrWhiteSpace(options.Storage))
        {
            throw new InvalidOperationException($"Hpo has no storage: set '{HpoOptions.SectionName}:Storage' in the configuration (for example sqlite:///study.db), HpoOptions.Storage in AddHpo, or the {HpoOptions.StorageEnvironmentVariable} environment variable.");
        }

        try
        {
            IStudyStorage storage = (services.GetService<StorageRegistry>() ?? StorageRegistry.Default).Open(options.Storage.Trim());
            logger.StorageOpened(StudyStorage.Redact(options.Storage.Trim()));
            return storage;
        }
        catch (ArgumentException e)
        {
            // The storage's messages never quote a password; redact again all the same.
            throw new InvalidOperationException($"'{HpoOptions.SectionName}:Storage' is invalid: {StudyStorage.Redact(e.Message)}");
        }
    }
}
