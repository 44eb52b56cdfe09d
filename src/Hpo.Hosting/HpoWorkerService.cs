using Hpo.Execution;
using Hpo.Execution.ChildProcess;
using Hpo.Objectives;
using Hpo.Registries;
using Hpo.Storage;
using Hpo.Studies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hpo.Hosting;

/// <summary>
/// The hosted worker: runs the trials of one study inside a .NET host, as <c>hpo worker</c> does, through <see cref="StudyWorker"/>.
/// When the host stops it starts no more trials, lets the running ones finish within <see cref="HpoWorkerOptions.GracePeriod"/>,
/// then hands back the rest (recorded stale, so the study's retry policy runs them again). Register it with
/// <see cref="HpoBuilder.AddWorker(Action{HpoWorkerOptions}?)"/>.
/// </summary>
public sealed partial class HpoWorkerService : BackgroundService
{
    private readonly IServiceProvider services;
    private readonly HpoWorkerOptions options;
    private readonly ILoggerFactory loggerFactory;
    private readonly IHostApplicationLifetime lifetime;
    private readonly ILogger logger;

    /// <summary>Initializes a new instance of the <see cref="HpoWorkerService"/> class.</summary>
    /// <param name="services">Resolves the storage and, without a command, the <see cref="IObjective"/>.</param>
    /// <param name="options">The worker's options.</param>
    /// <param name="loggerFactory">The host's logger factory.</param>
    /// <param name="lifetime">Stops the host when <see cref="HpoWorkerOptions.StopApplicationWhenDone"/> is set.</param>
    public HpoWorkerService(IServiceProvider services, IOptions<HpoWorkerOptions> options, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(lifetime);
        this.services = services;
        // A copy, taken now: the caller's options object (the IOptions singleton) may change later without reaching this worker.
        this.options = options.Value.Clone();
        this.loggerFactory = loggerFactory;
        this.lifetime = lifetime;
        logger = loggerFactory.CreateLogger<HpoWorkerService>();
    }

    /// <summary>Gets what the worker's run did, once it has ended; <see langword="null"/> before.</summary>
    public StudyWorkerResult? Result { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting: the run is long.
        await Task.Yield();
        HpoWorkerOptions o = options;
        IReadOnlyList<string> problems = o.Validate();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(HpoWorkerOptions), typeof(HpoWorkerOptions), problems);
        }

        IStudyStorage storage = services.GetRequiredService<IStudyStorage>();
        Study study;
        try
        {
            var load = new StudyOptions
            {
                LoggerFactory = loggerFactory,
                TunerRegistry = services.GetService<TunerRegistry>(),
                PrunerRegistry = services.GetService<PrunerRegistry>(),
            };
            study = await Study.LoadAsync(storage, o.Study!, load, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        (IObjective objective, IAsyncDisposable? owned) = BuildObjective(o);
        try
        {
            if (o.Trials is null && study.Budget is null)
            {
                LogRunsUntilStopped(study.Name);
            }

            var run = new StudyWorkerOptions
            {
                Run = new OptimizeOptions { Concurrency = o.Concurrency, TrialCount = o.Trials, TrialTimeout = o.TrialTimeout },
                GracePeriod = o.GracePeriod,
                AbandonAfter = o.AbandonAfter,
            };
            StudyWorkerResult result = await StudyWorker.RunAsync(study, objective, run, stoppingToken).ConfigureAwait(false);
            Result = result;
            LogFinished(study.Name, result.Result?.TrialsRun, result.Result?.StopReason.ToString() ?? "HandedBack", result.HandedBack, result.Result?.LateResults ?? 0);
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (o.StopApplicationWhenDone && !stoppingToken.IsCancellationRequested)
        {
            lifetime.StopApplication();
        }
    }

    private (IObjective Objective, IAsyncDisposable? Owned) BuildObjective(HpoWorkerOptions o)
    {
        IObjective? registered = services.GetService<IObjective>();
        if (o.Command.Count > 0)
        {
            if (registered is not null)
            {
                throw new InvalidOperationException($"{HpoWorkerOptions.SectionName}:Command is set and an IObjective is registered: give the worker one way to run trials.");
            }

            var child = new ChildProcessExecutorOptions { Command = [.. o.Command], ArtifactsRoot = o.ArtifactsRoot, LoggerFactory = loggerFactory };
            foreach (KeyValuePair<string, string?> variable in o.Environment)
            {
                child.Environment[variable.Key] = variable.Value;
            }

            var executor = new ChildProcessExecutor(child);
            return (executor.AsObjective(), executor);
        }

        return registered is not null
            ? (registered, null)
            : throw new InvalidOperationException($"The Hpo worker has no way to run trials: register an IObjective (AddWorker<TObjective>() or services.AddSingleton<IObjective>(...)) or set {HpoWorkerOptions.SectionName}:Command.");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Study {Study} has no budget and Hpo:Worker:Trials is not set: the worker runs until the host stops.")]
    private partial void LogRunsUntilStopped(string study);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Study {Study}: the worker ran {TrialsRun} trials and stopped ({StopReason}); handed back {HandedBack}, late results {LateResults}.")]
    private partial void LogFinished(string study, int? trialsRun, string stopReason, int handedBack, int lateResults);
}
