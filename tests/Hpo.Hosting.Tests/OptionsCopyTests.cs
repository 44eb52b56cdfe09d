using Hpo.Registries;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hpo.Hosting.Tests;

/// <summary>
/// The hosting options follow the library's options pattern: the consumer copies them when it is built (collections too) and
/// validates the copy, so a later change to the caller's object (here the <c>IOptions</c> singleton) reaches nothing already built.
/// </summary>
public sealed class OptionsCopyTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("hpo-hosting-copy-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task HpoWorkerService_keeps_the_options_it_was_built_with_command_and_environment_included()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string url = "sqlite:///" + Path.Combine(folder, "worker.db");
        await using (IStudyStorage storage = StorageRegistry.Default.Open(url))
        {
            await Study.CreateAsync(storage, "copied", SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build(), new StudyOptions { Seed = 3, Budget = 4 });
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHpo(o => o.Storage = url).AddWorker(o =>
        {
            o.Study = "copied";
            o.StopApplicationWhenDone = true;
            o.ArtifactsRoot = Path.Combine(folder, "artifacts");
            o.Command = ["sh", "-c", "echo \"hpo:result $HPO_COPY_VALUE\""];
            o.Environment["HPO_COPY_VALUE"] = "1.5";
        });
        using IHost host = builder.Build();
        HpoWorkerService worker = host.Services.GetRequiredService<HpoWorkerService>();

        // After the worker is built, every part of the caller's options changes: were any of them still shared, the worker would run
        // another study, another command, with another value, or fail validation (Concurrency 0).
        HpoWorkerOptions caller = host.Services.GetRequiredService<IOptions<HpoWorkerOptions>>().Value;
        caller.Study = "missing";
        caller.Concurrency = 0;
        caller.Trials = 1;
        caller.Command[2] = "echo \"hpo:result 99\"";
        caller.Command.Add("ignored");
        caller.Environment["HPO_COPY_VALUE"] = "2.5";
        caller.Environment["HPO_OTHER"] = "x";

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotNull(worker.Result);
        Assert.Equal(OptimizeStopReason.BudgetReached, worker.Result.Result!.StopReason);
        await using IStudyStorage reader = StorageRegistry.Default.Open(url);
        IReadOnlyList<TrialRecord> trials = await (await Study.LoadAsync(reader, "copied")).GetTrialsAsync();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(1.5, t.Value));
    }

    [Fact]
    public async Task The_storage_is_opened_from_a_copy_read_once()
    {
        string first = Path.Combine(folder, "first.db");
        string second = Path.Combine(folder, "second.db");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHpo(o => o.Storage = "sqlite:///" + first);
        await using ServiceProvider provider = services.BuildServiceProvider();
        IStudyStorage storage = provider.GetRequiredService<IStudyStorage>();

        provider.GetRequiredService<IOptions<HpoOptions>>().Value.Storage = "sqlite:///" + second;
        await provider.GetRequiredService<HpoStudies>().CreateOrLoadAsync("s", SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build());

        Assert.Same(storage, provider.GetRequiredService<HpoStudies>().Storage);
        Assert.True(File.Exists(first));
        Assert.False(File.Exists(second));
    }
}
