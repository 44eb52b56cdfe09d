using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Hpo.Registries;

namespace Hpo.Hosting.Tests;

/// <summary>The hosted worker in a real generic host, on a real SQLite file.</summary>
public sealed class HostedWorkerTests : IDisposable
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", -5, 5).Build();
    private readonly string folder = Directory.CreateTempSubdirectory("hpo-hosting-").FullName;

    // An absolute path after sqlite:/// makes the four slashes of an absolute SQLite URL.
    private string Url => "sqlite:///" + Path.Combine(folder, "study.db");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Runs_the_budget_from_configuration_and_stops_the_host()
    {
        await CreateStudyAsync("budgeted", budget: 6);
        using IHost host = BuildHost(
            new Dictionary<string, string?> { ["Hpo:Storage"] = Url, ["Hpo:Worker:Study"] = "budgeted", ["Hpo:Worker:Concurrency"] = "2", ["Hpo:Worker:StopApplicationWhenDone"] = "true" },
            services => services.AddHpo().AddWorker<Quadratic>());

        HpoWorkerService worker = host.Services.GetRequiredService<HpoWorkerService>();
        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        StudyWorkerResult? result = worker.Result;
        Assert.NotNull(result);
        Assert.Equal(OptimizeStopReason.BudgetReached, result.Result!.StopReason);
        IReadOnlyList<TrialRecord> trials = await ReadTrialsAsync("budgeted");
        Assert.Equal(6, trials.Count(t => t.State == TrialState.Complete));
        Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
        Assert.All(trials.Where(t => t.State == TrialState.Complete), t => Assert.Equal(Math.Pow(Convert.ToDouble(t.Parameters["x"], System.Globalization.CultureInfo.InvariantCulture) - 1, 2), t.Value!.Value, 12));
    }

    [Fact]
    public async Task Host_stop_lets_running_trials_finish_within_the_grace_period()
    {
        await CreateStudyAsync("graceful", budget: null);
        var objective = new SlowObjective(TimeSpan.FromMilliseconds(400), honourCancellation: true);
        using IHost host = BuildHost(
            new Dictionary<string, string?> { ["Hpo:Storage"] = Url },
            services => services.AddHpo().AddWorker(o => { o.Study = "graceful"; o.Concurrency = 2; o.GracePeriod = TimeSpan.FromSeconds(10); }),
            objective);

        await host.StartAsync();
        await objective.WaitForStartsAsync(3);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        StudyWorkerResult result = host.Services.GetRequiredService<HpoWorkerService>().Result!;
        Assert.Equal(OptimizeStopReason.Stopped, result.Result!.StopReason);
        Assert.Equal(0, result.HandedBack);
        IReadOnlyList<TrialRecord> trials = await ReadTrialsAsync("graceful");
        Assert.True(trials.Count >= 3, $"{trials.Count} trials");
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(objective.Started, trials.Count);
    }

    [Fact]
    public async Task Trials_still_running_after_the_grace_period_are_handed_back_as_stale()
    {
        await CreateStudyAsync("handback", budget: 20);
        var objective = new SlowObjective(TimeSpan.FromMinutes(5), honourCancellation: true);
        using IHost host = BuildHost(
            new Dictionary<string, string?> { ["Hpo:Storage"] = Url, ["Hpo:Worker:Study"] = "handback", ["Hpo:Worker:GracePeriod"] = "00:00:00.300" },
            services => services.AddHpo().AddWorker(o => o.Concurrency = 2),
            objective);

        await host.StartAsync();
        await objective.WaitForStartsAsync(2);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        StudyWorkerResult result = host.Services.GetRequiredService<HpoWorkerService>().Result!;
        Assert.Equal(2, result.HandedBack);
        Assert.Null(result.Result);
        IReadOnlyList<TrialRecord> trials = await ReadTrialsAsync("handback");
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Stale, t.State));
        Assert.All(trials, t => Assert.Contains("handed back", t.FailReason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Child_process_command_from_configuration_runs_trials()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await CreateStudyAsync("child", budget: 3);
        using IHost host = BuildHost(
            new Dictionary<string, string?>
            {
                ["Hpo:Storage"] = Url,
                ["Hpo:Worker:Study"] = "child",
                ["Hpo:Worker:StopApplicationWhenDone"] = "true",
                ["Hpo:Worker:ArtifactsRoot"] = Path.Combine(folder, "artifacts"),
                ["Hpo:Worker:Command:0"] = "sh",
                ["Hpo:Worker:Command:1"] = "-c",
                ["Hpo:Worker:Command:2"] = "echo \"hpo:result $HPO_TRIAL_NUMBER.5\"",
            },
            services => services.AddHpo().AddWorker());

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        IReadOnlyList<TrialRecord> trials = await ReadTrialsAsync("child");
        Assert.Equal(3, trials.Count);
        Assert.All(trials, t => Assert.Equal(t.Number + 0.5, t.Value));
    }

    [Fact]
    public async Task A_worker_without_a_way_to_run_trials_stops_the_host_with_a_clear_error()
    {
        await CreateStudyAsync("none", budget: 3);
        var logs = new CapturingLoggerProvider();
        using IHost host = BuildHost(
            new Dictionary<string, string?> { ["Hpo:Storage"] = Url, ["Hpo:Worker:Study"] = "none" },
            services => services.AddHpo().AddWorker(),
            logs: logs);

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(logs.Messages, m => m.Contains("no way to run trials", StringComparison.Ordinal) && m.Contains("Hpo:Worker:Command", StringComparison.Ordinal));
        Assert.Empty(await ReadTrialsAsync("none"));
    }

    [Fact]
    public async Task Invalid_worker_options_name_the_option_rule_and_value()
    {
        var logs = new CapturingLoggerProvider();
        using IHost host = BuildHost(
            new Dictionary<string, string?> { ["Hpo:Storage"] = Url, ["Hpo:Worker:Study"] = "s", ["Hpo:Worker:Concurrency"] = "0" },
            services => services.AddHpo().AddWorker<Quadratic>(),
            logs: logs);

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(logs.Messages, m => m.Contains("Hpo:Worker:Concurrency must be at least 1, but got 0.", StringComparison.Ordinal));
    }

    private IHost BuildHost(Dictionary<string, string?> settings, Action<IServiceCollection> configure, IObjective? objective = null, CapturingLoggerProvider? logs = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        if (objective is not null)
        {
            builder.Services.AddSingleton(objective);
        }

        configure(builder.Services);
        return builder.Build();
    }

    private async Task CreateStudyAsync(string name, int? budget)
    {
        IStudyStorage storage = StorageRegistry.Default.Open(Url);
        await using (storage)
        {
            await Study.CreateAsync(storage, name, Space, new StudyOptions { Seed = 7, Budget = budget });
        }
    }

    private async Task<IReadOnlyList<TrialRecord>> ReadTrialsAsync(string name)
    {
        IStudyStorage storage = StorageRegistry.Default.Open(Url);
        await using (storage)
        {
            Study study = await Study.LoadAsync(storage, name);
            return await study.GetTrialsAsync();
        }
    }

    private sealed class Quadratic : IObjective
    {
        public ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ObjectiveResult>(Math.Pow(trial.Get<double>("x") - 1, 2));
    }

    private sealed class SlowObjective(TimeSpan duration, bool honourCancellation) : IObjective
    {
        private int started;

        public int Started => Volatile.Read(ref started);

        public async ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref started);
            await Task.Delay(duration, honourCancellation ? cancellationToken : CancellationToken.None);
            return trial.Get<double>("x");
        }

        public async Task WaitForStartsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (Started < count)
            {
                await Task.Delay(20, timeout.Token);
            }
        }
    }
}
