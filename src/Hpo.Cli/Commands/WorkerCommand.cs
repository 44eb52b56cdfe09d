using System.Globalization;
using System.Runtime.CompilerServices;
using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Cli.Workers;
using Hpo.Execution;
using Hpo.Execution.ChildProcess;
using Hpo.Execution.Container;
using Hpo.Objectives;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Visualization.Progress;

namespace Hpo.Cli.Commands;

/// <summary>
/// <c>hpo worker</c>: claims and runs a study's trials (as child processes, containers, or an objective loaded from an assembly)
/// until the budget is spent, its own trial count is reached, or it is stopped. On SIGTERM or Ctrl+C it stops claiming, lets the
/// running trials finish within the grace period, hands back those still running (recorded stale, so the study's retry policy
/// runs them again and the budget does not count them), and exits 0.
/// </summary>
internal sealed class WorkerCommand : CliCommand
{
    /// <summary>The <c>--command</c> option.</summary>
    public static readonly OptionSpec CommandOption = new("--command", "COMMAND", "Run each trial as a child process: the command, split into words as a shell quotes them (no expansion), with the placeholders {trial_number}, {study_name}, {artifacts_dir}, {parameters_file}, {search_space_file} and {param:NAME}. For shell syntax pass values as positional arguments, never inside the shell code: sh -c 'train --lr \"$1\"' trial {param:lr}.");

    /// <summary>The <c>--image</c> option.</summary>
    public static readonly OptionSpec ImageOption = new("--image", "IMAGE", "Run each trial as a container of this image (its own entrypoint and command), with --container-cli.");

    /// <summary>The <c>--objective</c> option.</summary>
    public static readonly OptionSpec ObjectiveOption = new("--objective", "PATH.dll:TYPE", "Run each trial in this process with an IObjective implementation from an assembly (Namespace.Type with a public parameterless constructor).");

    /// <summary>The <c>--concurrency</c> option.</summary>
    public static readonly OptionSpec ConcurrencyOption = new("--concurrency", "N", "How many trials this worker runs at once (1 when omitted).");

    /// <summary>The <c>--trials</c> option.</summary>
    public static readonly OptionSpec TrialsOption = new("--trials", "N", "The most trials this worker starts (the study's budget still applies; needed when the study has no budget, unless it runs until stopped).");

    /// <summary>The <c>--timeout</c> option.</summary>
    public static readonly OptionSpec TimeoutOption = new("--timeout", "DURATION", "How long one trial may run before it is stopped and recorded as failed: seconds, or with a unit (90, 30m, 2h; at most 49 days; no limit when omitted).");

    /// <summary>The <c>--grace-period</c> option.</summary>
    public static readonly OptionSpec GracePeriodOption = new("--grace-period", "DURATION", "On SIGTERM or Ctrl+C, how long running trials may finish before they are handed back (20s when omitted; keep it under the platform's own, such as Kubernetes' 30 s; at most 1h).");

    /// <summary>The <c>--container-cli</c> option.</summary>
    public static readonly OptionSpec ContainerCliOption = new("--container-cli", "CLI", "The container CLI for --image: podman (the default), docker, or a path to either.");

    /// <summary>The <c>--container-arg</c> option.</summary>
    public static readonly OptionSpec ContainerArgOption = new("--container-arg", "ARGS", "Extra arguments of 'run' for --image, split into words (repeatable; taken as is even when they start with --): --container-arg '--cpus 2 --memory 4g --gpus all'.", Repeatable: true);

    /// <summary>The <c>--container-global-arg</c> option.</summary>
    public static readonly OptionSpec ContainerGlobalArgOption = new("--container-global-arg", "ARGS", "Arguments of the container CLI itself, before 'run' (repeatable): --container-global-arg '--runtime runc'.", Repeatable: true);

    /// <summary>The <c>--artifacts</c> option.</summary>
    public static readonly OptionSpec ArtifactsOption = new("--artifacts", "DIR", "Where each trial's artifacts directory is made (<DIR>/<study>/trial-<n>, with trial.log); hpo-artifacts in the temporary folder when omitted.");

    /// <summary>The <c>--env</c> option.</summary>
    public static readonly OptionSpec EnvOption = new("--env", "NAME[=VALUE]", "An environment variable for each trial program (repeatable): NAME=VALUE sets it, NAME alone passes this worker's value on. Trial programs get only these, the protocol's HPO_* variables and, for --command, a short allow list (PATH, HOME, LANG, LC_*, TMPDIR, DOTNET_*, CUDA_*...): never the worker's HPO_STORAGE.", Repeatable: true);

    /// <summary>How long handed-back trials may take to stop once cancelled (child processes and containers get their own grace period within it).</summary>
    private static readonly TimeSpan AbandonAfter = StudyWorkerOptions.DefaultAbandonAfter;

    /// <inheritdoc/>
    public override string Name => "worker";

    /// <inheritdoc/>
    public override string Summary => "Claim and run a study's trials until its budget is spent or the worker is stopped.";

    /// <inheritdoc/>
    public override string Description =>
        "Runs the study's trials with exactly one of --command (child processes that speak the trial protocol of the Hpo README), " +
        "--image (containers of an image that speaks it) or --objective (an IObjective from an assembly, in this process), " +
        "--concurrency at a time, until the study's budget is spent, --trials are started, or the worker is stopped. Any number of " +
        "workers on any machines may share a study through its storage. On SIGTERM or Ctrl+C the worker stops claiming trials, " +
        "lets the running ones finish within --grace-period, then hands back the rest: they are recorded stale (never counted by the " +
        "budget), so the study's retry policy runs them again with their parameters, and the worker exits 0. " +
        "Each finished trial is noted on standard error; at the end it prints: study, trials_run (by this worker), stop_reason " +
        "(budget reached, trial count reached, stopped, handed back), handed_back, late_results (results refused because the trial " +
        "had been recorded stale or finished elsewhere first; each is also logged as a warning), and the study's counts by state.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Storage, CommonOptions.Study, CommandOption, ImageOption, ObjectiveOption, ConcurrencyOption, TrialsOption, TimeoutOption,
        GracePeriodOption, ContainerCliOption, ContainerArgOption, ContainerGlobalArgOption, ArtifactsOption, EnvOption, CommonOptions.Format,
    ];

    /// <inheritdoc/>
    public override async Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);

        // The token is the request to stop (SIGTERM, Ctrl+C): a graceful shutdown, never an error.
        CancellationToken stopRequested = cancellationToken;
        string? command = options.Get(CommandOption.Name);
        string? image = options.Get(ImageOption.Name);
        string? objectiveReference = options.Get(ObjectiveOption.Name);
        if (new[] { command, image, objectiveReference }.Count(v => v is not null) != 1)
        {
            throw new UsageException("Give exactly one of --command, --image or --objective: how to run each trial.");
        }

        int concurrency = options.GetInt32(ConcurrencyOption.Name, minimum: 1) ?? 1;
        int? trials = options.GetInt32(TrialsOption.Name, minimum: 1);
        TimeSpan? timeout = options.GetDuration(TimeoutOption.Name);
        TimeSpan grace = options.GetDuration(GracePeriodOption.Name, maximum: TimeSpan.FromHours(1)) ?? StudyWorkerOptions.DefaultGracePeriod;
        List<string> runArguments = [.. options.GetAll(ContainerArgOption.Name).SelectMany(CommandWords.Split)];
        List<string> globalArguments = [.. options.GetAll(ContainerGlobalArgOption.Name).SelectMany(CommandWords.Split)];
        if (image is null && (runArguments.Count > 0 || globalArguments.Count > 0 || options.Get(ContainerCliOption.Name) is not null))
        {
            throw new UsageException("--container-cli, --container-arg and --container-global-arg go with --image.");
        }

        string? artifacts = options.Get(ArtifactsOption.Name);
        (IObjective objective, IAsyncDisposable? executor) = Build(command, image, objectiveReference, options.Get(ContainerCliOption.Name), runArguments, globalArguments, artifacts, context.Logging, ParseEnvironment(options.GetAll(EnvOption.Name)));
        await using ConfiguredAsyncDisposable executorScope = new AsyncDisposer(executor).ConfigureAwait(false);

        IStudyStorage storage = context.Storage.Open(options.GetRequired(CommonOptions.Storage.Name), mustExist: true);
        await using (storage.ConfigureAwait(false))
        {
            Study study = await Study.LoadAsync(storage, options.GetRequired(CommonOptions.Study.Name), loggerFactory: context.Logging, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            if (trials is null && study.Budget is null)
            {
                context.Error.WriteLine($"hpo worker: study '{study.Name}' has no budget and --trials is not given: running until stopped.");
            }

            // A live panel when standard error is a terminal, else one line per finished trial (see Workers/WorkerProgress.cs).
            ConsoleProgressView progress = WorkerProgress.Create(context.Error);
            var run = new OptimizeOptions
            {
                Concurrency = concurrency,
                TrialCount = trials,
                TrialTimeout = timeout,
            }.ReportProgress(progress);

            var workerOptions = new StudyWorkerOptions
            {
                Run = run,
                GracePeriod = grace,
                AbandonAfter = AbandonAfter,
                OnTrialHandedBack = number =>
                {
                    context.Error.WriteLine($"hpo worker: trial {number} handed back (recorded stale; the study's retry policy runs it again).");
                    return ValueTask.CompletedTask;
                },
            };
            StudyWorkerResult outcome = await progress.RunAsync(() => StudyWorker.RunAsync(study, objective, workerOptions, stopRequested)).ConfigureAwait(false);
            if (outcome.Abandoned)
            {
                context.Error.WriteLine($"hpo worker: the handed-back trials did not stop within {AbandonAfter.TotalSeconds:0} s of being cancelled; exiting without them.");
            }

            OptimizeResult? result = outcome.Result;
            int handedBack = outcome.HandedBack;
            TrialCounts counts = await storage.GetTrialCountsAsync(study.Record.Id, CancellationToken.None).ConfigureAwait(false);
            string reason = result is null ? "handed back" : result.StopReason switch
            {
                OptimizeStopReason.BudgetReached => "budget reached",
                OptimizeStopReason.TrialCountReached => "trial count reached",
                OptimizeStopReason.Stopped => "stopped",
                _ => "timed out",
            };
            return OutputDocument.Single(new OutputRecord(
            [
                new("study", study.Name),
                new("trials_run", result?.TrialsRun),
                new("stop_reason", reason),
                new("handed_back", handedBack),
                new("late_results", result?.LateResults),
                .. StudyFields.Counts(counts),
            ]));
        }
    }

    private static (IObjective Objective, IAsyncDisposable? Executor) Build(string? command, string? image, string? objective, string? cli, List<string> runArguments, List<string> globalArguments, string? artifacts, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory, List<(string Name, string? Value)> environment)
    {
        if (objective is not null)
        {
            IObjective loaded = ObjectiveLoader.Load(objective);
            return (loaded, loaded as IAsyncDisposable);
        }

        ITrialExecutor executor;
        if (command is not null)
        {
            List<string> words = CommandWords.Split(command);
            if (words.Count == 0)
            {
                throw new UsageException("--command is empty.");
            }

            var child = new ChildProcessExecutorOptions { Command = words, ArtifactsRoot = artifacts, LoggerFactory = loggerFactory };
            foreach ((string name, string? value) in environment)
            {
                if (value is null)
                {
                    child.InheritedVariables.Add(name);
                }
                else
                {
                    child.Environment[name] = value;
                }
            }

            executor = new ChildProcessExecutor(child);
        }
        else
        {
            var container = new ContainerExecutorOptions { Image = image!, ArtifactsRoot = artifacts, LoggerFactory = loggerFactory };
            if (cli is not null)
            {
                container.Cli = cli;
            }

            foreach (string a in runArguments)
            {
                container.RunArguments.Add(a);
            }

            foreach (string a in globalArguments)
            {
                container.GlobalArguments.Add(a);
            }

            foreach ((string name, string? value) in environment)
            {
                if ((value ?? System.Environment.GetEnvironmentVariable(name)) is { } set)
                {
                    container.Environment[name] = set;
                }
            }

            executor = new ContainerExecutor(container);
        }

        return (executor.AsObjective(), executor);
    }

    /// <summary>Reads the <c>--env</c> options: <c>NAME=VALUE</c>, or <c>NAME</c> alone (its value is the worker's).</summary>
    private static List<(string Name, string? Value)> ParseEnvironment(IReadOnlyList<string> values)
    {
        var result = new List<(string Name, string? Value)>();
        foreach (string text in values)
        {
            int equals = text.IndexOf('=', StringComparison.Ordinal);
            string name = equals >= 0 ? text[..equals] : text;
            if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c == '*'))
            {
                throw new UsageException($"Option '{EnvOption.Name}' must be NAME=VALUE or NAME (a variable name without spaces), but got a value whose name is '{name}'.");
            }

            result.Add((name, equals >= 0 ? text[(equals + 1)..] : null));
        }

        return result;
    }

    private sealed class AsyncDisposer(IAsyncDisposable? inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => inner?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
