using Hpo.Pruners;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Storage.InMemory;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;
using Hpo.Registries;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hpo.Hosting.Tests;

/// <summary>AddHpo: where the storage comes from, that its password is never logged, and the registries.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class AddHpoTests
{
    [Fact]
    public async Task Storage_comes_from_the_Hpo_section_and_is_logged_without_its_password()
    {
        const string Secret = "s3cr3t-Pa55word";
        var logs = new CapturingLoggerProvider();
        await using ServiceProvider services = Services(new() { ["Hpo:Storage"] = $"hpotest://alice:{Secret}@db.example/hpo" }, logs, storage: ("hpotest", _ => new InMemoryStudyStorage()));

        IStudyStorage storage = services.GetRequiredService<IStudyStorage>();

        Assert.Same(storage, services.GetRequiredService<HpoStudies>().Storage);
        Assert.Contains(logs.Messages, m => m.Contains("hpotest://alice:***@db.example/hpo", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Code_overrides_configuration()
    {
        await using ServiceProvider services = Services(new() { ["Hpo:Storage"] = "sqlite:///never-opened.db" }, configure: o => o.Storage = "memory");

        Assert.Equal("memory", services.GetRequiredService<IOptions<HpoOptions>>().Value.Storage);
        Assert.NotNull(services.GetRequiredService<IStudyStorage>());
        Assert.False(File.Exists("never-opened.db"));
    }

    [Fact]
    public async Task HPO_STORAGE_is_used_when_nothing_is_configured_and_configuration_wins_over_it()
    {
        string? before = Environment.GetEnvironmentVariable(HpoOptions.StorageEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(HpoOptions.StorageEnvironmentVariable, " memory ");
            await using (ServiceProvider services = Services([]))
            {
                Assert.Equal("memory", services.GetRequiredService<IOptions<HpoOptions>>().Value.Storage);
            }

            await using (ServiceProvider services = Services(new() { ["Hpo:Storage"] = "hpotest2://x" }))
            {
                Assert.Equal("hpotest2://x", services.GetRequiredService<IOptions<HpoOptions>>().Value.Storage);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(HpoOptions.StorageEnvironmentVariable, before);
        }
    }

    [Fact]
    public async Task Missing_storage_is_a_clear_error()
    {
        string? before = Environment.GetEnvironmentVariable(HpoOptions.StorageEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(HpoOptions.StorageEnvironmentVariable, null);
            await using ServiceProvider services = Services([]);
            InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IStudyStorage>());
            Assert.Contains("Hpo:Storage", e.Message, StringComparison.Ordinal);
            Assert.Contains("HPO_STORAGE", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(HpoOptions.StorageEnvironmentVariable, before);
        }
    }

    [Fact]
    public async Task An_unknown_scheme_is_an_error_that_never_shows_the_password()
    {
        await using ServiceProvider services = Services(new() { ["Hpo:Storage"] = "nosuchscheme://bob:Hunter2Hunter2@h/db" });

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IStudyStorage>());

        Assert.Contains("'Hpo:Storage' is invalid", e.Message, StringComparison.Ordinal);
        Assert.Contains("nosuchscheme", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter2Hunter2", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Tuners_and_pruners_registered_through_the_builder_are_known_to_the_hosts_registries_only()
    {
        var services = new ServiceCollection();
        services.AddHpo()
            .AddTuner("hosting-test-tuner", _ => new RandomSearchTuner())
            .AddPruner("hosting-test-pruner", _ => PrunerRegistry.Default.Create("median"));
        using ServiceProvider provider = services.BuildServiceProvider();

        TunerRegistry tuners = provider.GetRequiredService<TunerRegistry>();
        PrunerRegistry pruners = provider.GetRequiredService<PrunerRegistry>();
        Assert.Contains("hosting-test-tuner", tuners.Names);
        Assert.IsType<RandomSearchTuner>(tuners.Create("hosting-test-tuner"));
        Assert.Contains("hosting-test-pruner", pruners.Names);
        Assert.Contains("gp", tuners.Names);
        Assert.DoesNotContain("hosting-test-tuner", TunerRegistry.Default.Names);
        Assert.DoesNotContain("hosting-test-pruner", PrunerRegistry.Default.Names);
        Assert.DoesNotContain("hosting-test-tuner", new ServiceCollection().AddHpo().Services.BuildServiceProvider().GetRequiredService<TunerRegistry>().Names);
    }

    [Fact]
    public async Task Storage_schemes_and_providers_go_to_the_hosts_own_registry_only()
    {
        var opened = new List<string>();
        var services = new ServiceCollection();
        services.AddHpo(o => o.Storage = "hostonly://a/b")
            .AddStorageScheme("hostonly", url =>
            {
                opened.Add(url);
                return new InMemoryStudyStorage();
            })
            .AddStorageProvider(new SqliteStorageProvider());
        await using ServiceProvider provider = services.BuildServiceProvider();

        IStudyStorage storage = provider.GetRequiredService<IStudyStorage>();

        Assert.IsType<InMemoryStudyStorage>(storage);
        Assert.Equal(["hostonly://a/b"], opened);
        Assert.True(provider.GetRequiredService<StorageRegistry>().Contains("hostonly"));
        Assert.False(StorageRegistry.Default.Contains("hostonly"));
        Assert.False(new ServiceCollection().AddHpo().Services.BuildServiceProvider().GetRequiredService<StorageRegistry>().Contains("hostonly"));
    }

    [Fact]
    public async Task Studies_of_the_host_open_with_the_hosts_registries()
    {
        string db = Path.Combine(Path.GetTempPath(), $"hpo-hosting-registry-{Guid.NewGuid():N}.db");
        try
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddHpo(o => o.Storage = "sqlite:///" + db).AddTuner("hosting-registry-tuner", settings => new NamedRandomTuner());
            await using ServiceProvider provider = services.BuildServiceProvider();
            HpoStudies studies = provider.GetRequiredService<HpoStudies>();
            var space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();
            await studies.CreateOrLoadAsync("registry", space, new StudyOptions { Tuner = new NamedRandomTuner() });

            Study loaded = await studies.LoadAsync("registry");

            Assert.Equal("hosting-registry-tuner", loaded.Tuner.Name);
            ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => Study.LoadAsync(studies.Storage, "registry"));
            Assert.Contains("hosting-registry-tuner", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (string file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(db) + "*"))
            {
                File.Delete(file);
            }
        }
    }

    private sealed class NamedRandomTuner : ITuner
    {
        private readonly RandomSearchTuner inner = new();

        public string Name => "hosting-registry-tuner";

        public string Settings => "{}";

        public IReadOnlyDictionary<string, object> Propose(TunerContext context) => inner.Propose(context);
    }

    [Fact]
    public void Worker_options_validation_names_each_option()
    {
        var options = new HpoWorkerOptions { Concurrency = 0, Trials = -1, GracePeriod = TimeSpan.FromHours(2), TrialTimeout = TimeSpan.Zero };

        IReadOnlyList<string> problems = options.Validate();

        Assert.Contains("Hpo:Worker:Study must name the study whose trials the worker runs, but it is not set.", problems);
        Assert.Contains("Hpo:Worker:Concurrency must be at least 1, but got 0.", problems);
        Assert.Contains("Hpo:Worker:Trials must be at least 1 or unset, but got -1.", problems);
        Assert.Contains("Hpo:Worker:GracePeriod must be between 0 and 1 hour, but got 02:00:00.", problems);
        Assert.Contains("Hpo:Worker:TrialTimeout must be positive or unset, but got 00:00:00.", problems);
        Assert.Empty(new HpoWorkerOptions { Study = "s" }.Validate());
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings, CapturingLoggerProvider? logs = null, Action<HpoOptions>? configure = null, (string Scheme, Func<string, IStudyStorage> Factory)? storage = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(b =>
        {
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        HpoBuilder hpo = services.AddHpo(configure);
        if (storage is { } scheme)
        {
            hpo.AddStorageScheme(scheme.Scheme, scheme.Factory);
        }

        return services.BuildServiceProvider();
    }
}

/// <summary>Tests that change process environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "environment";
}
