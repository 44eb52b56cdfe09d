using System.Security.Cryptography;
using Hpo.Objectives;
using Hpo.Pruners;
using Hpo.Scheduling;
using Hpo.Registries;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hpo.Studies;

/// <summary>
/// A named optimization of one objective over one search space, kept in a storage: ask/tell, warm starts, and
/// <see cref="OptimizeAsync(IObjective, OptimizeOptions?, CancellationToken)"/> with concurrency, budgets, timeouts and a
/// failure policy. Any number of <see cref="Study"/> objects, in any number of processes, may work on the same stored study.
/// </summary>
/// <remarks>
/// The storage is the truth: the search space, direction, tuner and pruner with their settings, seed, budget and lease are stored when the
/// study is created and read back by <c>LoadAsync</c>, so a second worker or a resumed run continues the same study.
/// Thread-safe.
/// </remarks>
public sealed partial class Study
{
    private readonly TrialScheduler scheduler;

    private Study(IStudyStorage storage, StudyRecord record, ITuner tuner, IPruner? pruner, bool resumed, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        Storage = storage;
        Record = record;
        Tuner = tuner;
        Pruner = pruner;
        IsResumed = resumed;
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<Study>();
        scheduler = new TrialScheduler(storage, record, tuner, pruner, logger, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Gets the storage that holds the study.</summary>
    public IStudyStorage Storage { get; }

    /// <summary>Gets the stored study.</summary>
    public StudyRecord Record { get; }

    /// <summary>Gets the study's name.</summary>
    public string Name => Record.Name;

    /// <summary>Gets the study's search space.</summary>
    public SearchSpace SearchSpace => Record.Definition.SearchSpace;

    /// <summary>Gets the study's direction.</summary>
    public StudyDirection Direction => Record.Definition.Direction;

    /// <summary>Gets the study's seed.</summary>
    public int Seed => Record.Definition.Seed;

    /// <summary>Gets the study's budget of finished trials, or <see langword="null"/>.</summary>
    public int? Budget => Record.Definition.Budget;

    /// <summary>Gets the tuner that proposes this study's trials.</summary>
    public ITuner Tuner { get; }

    /// <summary>Gets the pruner that decides which running trials stop early, or <see langword="null"/> when none do.</summary>
    public IPruner? Pruner { get; }

    /// <summary>Gets a value indicating whether this object continues a study that already existed in the storage.</summary>
    public bool IsResumed { get; }

    /// <summary>Creates a new study.</summary>
    /// <param name="storage">The storage to keep it in.</param>
    /// <param name="name">The study's name, unique in the storage.</param>
    /// <param name="searchSpace">The search space.</param>
    /// <param name="options">The study's options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The new study.</returns>
    /// <exception cref="DuplicateStudyException">The storage already has a study with that name (use <see cref="CreateOrLoadAsync"/> to resume it).</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<Study> CreateAsync(IStudyStorage storage, string name, ISearchSpace searchSpace, StudyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(searchSpace);
        options ??= new StudyOptions();
        options.Validate();
        ITuner tuner = options.Tuner ?? new RandomSearchTuner();
        var definition = new StudyDefinition
        {
            Name = name,
            SearchSpace = SearchSpaces.SearchSpace.From(searchSpace),
            Directions = [options.Direction],
            TunerName = tuner.Name,
            TunerSettings = tuner.Settings,
            PrunerName = options.Pruner?.Name,
            PrunerSettings = options.Pruner?.Settings ?? "{}",
            Seed = options.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue),
            Budget = options.Budget,
            Lease = options.Lease,
            MaxRetries = options.MaxRetries,
            RetryOn = options.RetryOn,
        };
        StudyRecord record = await storage.CreateStudyAsync(definition, cancellationToken).ConfigureAwait(false);
        return new Study(storage, record, tuner, options.Pruner, resumed: false, options.LoggerFactory, options.TimeProvider);
    }

    /// <summary>Opens an existing study by name, with the tuner, pruner, seed and budget stored with it.</summary>
    /// <param name="storage">The storage that holds it.</param>
    /// <param name="name">The study's name.</param>
    /// <param name="tuner">A tuner instance to use instead of rebuilding the stored one (needed for custom tuners that are not registered).</param>
    /// <param name="pruner">A pruner instance to use instead of rebuilding the stored one (needed for custom pruners that are not registered); ignored when the study has no pruner.</param>
    /// <param name="loggerFactory">The logger factory, if any.</param>
    /// <param name="timeProvider">The clock, if not the system's.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The study.</returns>
    /// <exception cref="KeyNotFoundException">The storage has no study with that name.</exception>
    /// <exception cref="ArgumentException">The stored tuner or pruner is not registered.</exception>
    public static async Task<Study> LoadAsync(IStudyStorage storage, string name, ITuner? tuner = null, IPruner? pruner = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        StudyRecord record = await storage.GetStudyAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"The storage has no study named '{name}'. Create it with Study.CreateAsync (or CreateOrLoadAsync).");
        tuner ??= TunerRegistry.Default.Create(record.Definition.TunerName, record.Definition.TunerSettings);
        pruner = record.Definition.PrunerName is null ? null : pruner ?? PrunerRegistry.Default.Create(record.Definition.PrunerName, record.Definition.PrunerSettings);
        return new Study(storage, record, tuner, pruner, resumed: true, loggerFactory, timeProvider);
    }

    /// <summary>
    /// Opens the study if it exists (and checks that its search space and direction match), or creates it. This is how a
    /// program resumes a study across runs.
    /// </summary>
    /// <param name="storage">The storage.</param>
    /// <param name="name">The study's name.</param>
    /// <param name="searchSpace">The search space, which must equal the stored one when the study exists.</param>
    /// <param name="options">The options used when the study is created; for an existing study only the direction is checked, and the logger and clock are used.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The study; <see cref="IsResumed"/> tells which happened.</returns>
    /// <exception cref="InvalidOperationException">The stored study has a different search space or direction.</exception>
    public static async Task<Study> CreateOrLoadAsync(IStudyStorage storage, string name, ISearchSpace searchSpace, StudyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(searchSpace);
        options ??= new StudyOptions();
        for (int attempt = 0; ; attempt++)
        {
            StudyRecord? existing = await storage.GetStudyAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                var space = SearchSpaces.SearchSpace.From(searchSpace);
                if (!existing.Definition.SearchSpace.Equals(space))
                {
                    throw new InvalidOperationException($"Study '{name}' exists with a different search space; resuming it would mix incomparable trials. Stored: {existing.Definition.SearchSpace}. Given: {space}. Use another study name.");
                }

                if (existing.Definition.Direction != options.Direction)
                {
                    throw new InvalidOperationException($"Study '{name}' exists with direction {existing.Definition.Direction}, but {options.Direction} was given. Use another study name.");
                }

                ITuner tuner = options.Tuner is { } t && t.Name == existing.Definition.TunerName ? t : (options.TunerRegistry ?? TunerRegistry.Default).Create(existing.Definition.TunerName, existing.Definition.TunerSettings);
                IPruner? pruner = existing.Definition.PrunerName is not string prunerName ? null
                    : options.Pruner is { } p && p.Name == prunerName ? p
                    : (options.PrunerRegistry ?? PrunerRegistry.Default).Create(prunerName, existing.Definition.PrunerSettings);
                return new Study(storage, existing, tuner, pruner, resumed: true, options.LoggerFactory, options.TimeProvider);
            }

            try
            {
                return await CreateAsync(storage, name, searchSpace, options, cancellationToken).ConfigureAwait(false);
            }
            catch (DuplicateStudyException) when (attempt < 3)
            {
                // Another process created it between our look-up and our insert: load theirs.
            }
        }
    }

    /// <summary>Adds a warm-start point that runs before any proposal (in the order enqueued).</summary>
    /// <param name="parameters">A value for every active parameter.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The waiting trial.</returns>
    /// <exception cref="ArgumentException">The parameters do not fit the search space.</exception>
    public async Task<TrialRecord> EnqueueAsync(IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, object> valid = SearchSpace.Validate(parameters);
        return await Storage.EnqueueTrialAsync(Record.Id, valid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a trial for the caller to evaluate: a waiting warm-start point if any, otherwise a new proposal.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The running trial; finish it with <see cref="TellAsync(ITrial, double, CancellationToken)"/> or its overloads.</returns>
    /// <exception cref="InvalidOperationException">The study's budget is already filled by finished and running trials.</exception>
    /// <remarks>
    /// While asked trials are unfinished, this object renews their heartbeats in the background (every third of the lease), so
    /// other workers do not take them for orphans however long the caller takes to evaluate them.
    /// </remarks>
    public async Task<ITrial> AskAsync(CancellationToken cancellationToken = default)
    {
        return await scheduler.AskAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Study '{Name}' has reached its budget of {Budget} finished trials (counting running ones); no trial can be started.");
    }

    /// <summary>Records the value of a trial started by <see cref="AskAsync"/>.</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="value">Its objective value; NaN or infinity records the trial as failed.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The finished trial.</returns>
    /// <exception cref="TrialAlreadyFinishedException">The trial is already finished.</exception>
    public Task<TrialRecord> TellAsync(ITrial trial, double value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return TellAsync(trial.Number, ObjectiveResult.FromValue(value), cancellationToken);
    }

    /// <summary>Records the result of a trial by number: a value, or pruned.</summary>
    /// <param name="trialNumber">The trial's number.</param>
    /// <param name="result">The result.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The finished trial.</returns>
    /// <exception cref="KeyNotFoundException">The study has no such trial.</exception>
    /// <exception cref="TrialAlreadyFinishedException">The trial is already finished.</exception>
    public async Task<TrialRecord> TellAsync(int trialNumber, ObjectiveResult result, CancellationToken cancellationToken = default)
    {
        TrialRecord trial = await GetTrialOrThrowAsync(trialNumber, cancellationToken).ConfigureAwait(false);
        TrialFinish finish = TrialScheduler.ToFinish(result, trial.IntermediateValues.IsEmpty ? null : trial.IntermediateValues.Values.Last());
        return await scheduler.FinishAsync(trial.Id, finish, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a trial as failed.</summary>
    /// <param name="trialNumber">The trial's number.</param>
    /// <param name="reason">Why it failed.</param>
    /// <param name="exception">The exception that failed it, if any.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The finished trial.</returns>
    /// <exception cref="KeyNotFoundException">The study has no such trial.</exception>
    /// <exception cref="TrialAlreadyFinishedException">The trial is already finished.</exception>
    public async Task<TrialRecord> TellFailedAsync(int trialNumber, string reason, Exception? exception = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        TrialRecord trial = await GetTrialOrThrowAsync(trialNumber, cancellationToken).ConfigureAwait(false);
        return await scheduler.FinishAsync(trial.Id, new TrialFinish(TrialState.Failed, [], reason, exception?.GetType().FullName), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets every trial of the study, ordered by number.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The trials.</returns>
    public async Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(CancellationToken cancellationToken = default) =>
        await Storage.GetTrialsAsync(Record.Id, cancellationToken).ConfigureAwait(false);

    /// <summary>Gets the best complete trial, or <see langword="null"/> when none is complete.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The best trial.</returns>
    public async Task<TrialRecord?> GetBestTrialAsync(CancellationToken cancellationToken = default) =>
        await Storage.GetBestTrialAsync(Record.Id, cancellationToken).ConfigureAwait(false);

    /// <summary>Counts the study's trials by state.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The counts.</returns>
    public async Task<TrialCounts> GetTrialCountsAsync(CancellationToken cancellationToken = default) =>
        await Storage.GetTrialCountsAsync(Record.Id, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs trials until this run's trial count, its timeout or the study's budget is reached, <paramref name="options"/>'s
    /// concurrency at a time.
    /// </summary>
    /// <param name="objective">The objective.</param>
    /// <param name="options">The run's options; <see langword="null"/> for the defaults (which need a study budget).</param>
    /// <param name="cancellationToken">
    /// Cancels the run (the hard stop): no more trials start, running trials see the token and are recorded as failed
    /// ("cancelled") unless they return a value, and then <see cref="OperationCanceledException"/> is thrown.
    /// </param>
    /// <returns>What the run did and why it stopped.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    /// <remarks>
    /// <para>With <see cref="FailurePolicy.Stop"/>, the first objective exception is rethrown after it has been recorded and the running trials have finished.</para>
    /// <para>
    /// The graceful stop is <see cref="OptimizeOptions.StopToken"/>: once it is cancelled no trial starts, the running ones may
    /// finish within <see cref="OptimizeOptions.GracePeriod"/>, and those still running then are handed back (recorded stale, so
    /// the study's retry policy runs them again in this or another process) and cancelled; the run returns normally with
    /// <see cref="OptimizeStopReason.Stopped"/> and <see cref="OptimizeResult.HandedBack"/>. That is what <c>hpo worker</c> does on
    /// SIGTERM: cancel the stop token from a <see cref="System.Runtime.InteropServices.PosixSignalRegistration"/> handler to do the same.
    /// </para>
    /// </remarks>
    public async Task<OptimizeResult> OptimizeAsync(IObjective objective, OptimizeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new OptimizeOptions();
        options.Validate(Budget);
        RunOutcome outcome = await scheduler.RunAsync(objective, ToSettings(options), cancellationToken).ConfigureAwait(false);
        OptimizeStopReason reason = outcome.End switch
        {
            RunEnd.BudgetReached => OptimizeStopReason.BudgetReached,
            RunEnd.TrialCountReached => OptimizeStopReason.TrialCountReached,
            RunEnd.Stopped => OptimizeStopReason.Stopped,
            _ => OptimizeStopReason.TimedOut,
        };
        return new OptimizeResult(outcome.TrialsRun, reason, outcome.Counts, outcome.Best)
        {
            LateResults = outcome.LateResults,
            HandedBack = outcome.HandedBack,
            Abandoned = outcome.Abandoned,
        };
    }

    /// <summary>Runs trials of a delegate objective (see <see cref="OptimizeAsync(IObjective, OptimizeOptions?, CancellationToken)"/>).</summary>
    /// <param name="objective">The objective.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What the run did and why it stopped.</returns>
    public Task<OptimizeResult> OptimizeAsync(Func<ITrial, CancellationToken, ValueTask<ObjectiveResult>> objective, OptimizeOptions? options = null, CancellationToken cancellationToken = default) =>
        OptimizeAsync(Objective.Create(objective), options, cancellationToken);

    /// <summary>Runs trials of a synchronous delegate objective (see <see cref="OptimizeAsync(IObjective, OptimizeOptions?, CancellationToken)"/>).</summary>
    /// <param name="objective">The objective.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What the run did and why it stopped.</returns>
    public Task<OptimizeResult> OptimizeAsync(Func<ITrial, double> objective, OptimizeOptions? options = null, CancellationToken cancellationToken = default) =>
        OptimizeAsync(Objective.Create(objective), options, cancellationToken);

    /// <summary>Gets the logger of this study object (the scheduler's events are written to it).</summary>
    internal ILogger Logger => scheduler.Logger;

    /// <summary>Translates a run's public options into the scheduler's settings; the callbacks get their arguments here.</summary>
    private RunSettings ToSettings(OptimizeOptions options)
    {
        Func<TrialFinishedArguments, ValueTask>? onFinished = options.OnTrialFinished;
        Func<TrialHandedBackArguments, ValueTask>? onHandedBack = options.OnTrialHandedBack;
        return new RunSettings
        {
            TrialCount = options.TrialCount,
            Timeout = options.Timeout,
            StopToken = options.StopToken,
            GracePeriod = options.GracePeriod,
            AbandonAfter = options.AbandonAfter,
            Concurrency = options.Concurrency,
            TrialTimeout = options.TrialTimeout,
            StopOnFailure = options.FailurePolicy == FailurePolicy.Stop,
            OnTrialFinished = onFinished is null ? null : done =>
            {
                (TrialCounts counts, TrialRecord? best) = scheduler.Summary;
                return onFinished(new TrialFinishedArguments(this, done, best, counts));
            },
            OnTrialHandedBack = onHandedBack is null ? null : stale => onHandedBack(new TrialHandedBackArguments(this, stale)),
        };
    }

    private async Task<TrialRecord> GetTrialOrThrowAsync(int number, CancellationToken cancellationToken) =>
        await Storage.GetTrialAsync(Record.Id, number, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"Study '{Name}' has no trial number {number}.");
}
