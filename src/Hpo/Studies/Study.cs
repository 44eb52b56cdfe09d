using System.Collections.Immutable;
using System.Security.Cryptography;
using Hpo.Execution;
using Hpo.Internal;
using Hpo.Objectives;
using Hpo.Pruners;
using Hpo.Registries;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Telemetry;
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
    private readonly StudyHistory history;
    private readonly SemaphoreSlim proposeGate = new(1, 1);
    private readonly ILogger logger;
    private readonly TimeProvider timeProvider;
    private volatile RunHorizon? runHorizon;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> askedTrials = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> proposing = new(); // trials this object is proposing
    private readonly bool finiteSpace;
    private int askHeartbeatRunning;
    private int askedCount; // at least askedTrials.Count, so that finishing a trial that was not asked skips the dictionary

    private Study(IStudyStorage storage, StudyRecord record, ITuner tuner, IPruner? pruner, bool resumed, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        Storage = storage;
        Record = record;
        Tuner = tuner;
        Pruner = pruner;
        IsResumed = resumed;
        logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<Study>();
        this.timeProvider = timeProvider ?? TimeProvider.System;
        history = new StudyHistory(record.Definition.Direction);
        finiteSpace = record.Definition.SearchSpace.Parameters.All(p => p.Distribution.IsDiscrete);
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
        StudyTrial trial = await TryAskAsync(AskOwner.Value, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Study '{Name}' has reached its budget of {Budget} finished trials (counting running ones); no trial can be started.");
        Interlocked.Increment(ref askedCount);
        askedTrials[trial.Id] = 0;
        if (Interlocked.CompareExchange(ref askHeartbeatRunning, 1, 0) == 0)
        {
            _ = Task.Run(AskHeartbeatLoopAsync, CancellationToken.None);
        }

        return trial;
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
        TrialFinish finish = ToFinish(result, trial.IntermediateValues.IsEmpty ? null : trial.IntermediateValues.Values.Last());
        return await FinishAsync(trial.Id, finish, cancellationToken).ConfigureAwait(false);
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
        return await FinishAsync(trial.Id, new TrialFinish(TrialState.Failed, [], reason, exception?.GetType().FullName), cancellationToken).ConfigureAwait(false);
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
    /// Cancels the run: no more trials start, running trials see the token and are recorded as failed ("cancelled") unless
    /// they return a value, and then <see cref="OperationCanceledException"/> is thrown.
    /// </param>
    /// <returns>What the run did and why it stopped.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    /// <remarks>With <see cref="FailurePolicy.Stop"/>, the first objective exception is rethrown after it has been recorded and the running trials have finished.</remarks>
    public async Task<OptimizeResult> OptimizeAsync(IObjective objective, OptimizeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new OptimizeOptions();
        options.Validate(Budget);
        using var run = new OptimizeRun(this, objective, options, cancellationToken);
        return await run.RunAsync().ConfigureAwait(false);
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

    internal async ValueTask<StudyTrial?> TryAskAsync(string owner, CancellationToken cancellationToken)
    {
        TrialRecord? started;
        using (HpoTelemetry.TimeStorage("start_trial"))
        {
            started = await Storage.StartTrialAsync(Record.Id, owner, cancellationToken).ConfigureAwait(false);
        }
        return started is null ? null : await ProposeStartedAsync(started, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finishes a trial and starts the next for <paramref name="owner"/> in one storage operation, then proposes the next trial's
    /// parameters. The finish is recorded whatever happens to the next trial; an exception from the proposal is thrown after the
    /// started trial has been recorded as failed, as <see cref="TryAskAsync"/> does.
    /// </summary>
    internal async ValueTask<(TrialRecord Done, TrialRecord? Next)> FinishAndStartAsync(long trialId, TrialFinish finish, string owner)
    {
        FinishAndStartResult result;
        try
        {
            using (HpoTelemetry.TimeStorage("finish_and_start_trial"))
            {
                result = await Storage.FinishAndStartTrialAsync(trialId, finish, Record.Id, owner, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (TrialAlreadyFinishedException)
        {
            ForgetAsked(trialId);
            throw;
        }

        ForgetAsked(trialId);
        history.Apply(result.Finished);
        return (result.Finished, result.Next);
    }

    /// <summary>Proposes the parameters of a trial just started in the storage (unless it has some) and hands it out.</summary>
    internal async ValueTask<StudyTrial> ProposeStartedAsync(TrialRecord started, CancellationToken cancellationToken)
    {
        if (started.Parameters.Count == 0 && SearchSpace.Count > 0)
        {
            long id = started.Id;
            proposing[id] = 0;
            try
            {
                started = await ProposeAsync(started, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The trial is started in the storage: finish it, or it would stay running (and count against the budget)
                // until its lease expired.
                await FailUnproposedAsync(started, e).ConfigureAwait(false);
                throw;
            }
            finally
            {
                proposing.TryRemove(id, out _);
            }
        }

        history.Apply(started);
        return new StudyTrial(this, started);
    }

    private async Task FailUnproposedAsync(TrialRecord started, Exception cause)
    {
        string reason = cause is OperationCanceledException
            ? "Cancelled: the study was cancelled before the trial's parameters were proposed."
            : $"No parameters: proposing them failed with {cause.GetType().Name}: {cause.Message}";
        try
        {
            history.Apply(await Storage.FinishTrialAsync(started.Id, new TrialFinish(TrialState.Failed, [], reason, cause.GetType().FullName), CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception e) when (e is TrialAlreadyFinishedException or StorageException)
        {
            logger.LogWarning(e, "Study {Study}: trial {Number} could not be recorded as failed after its proposal failed.", Name, started.Number);
        }
    }

    internal async ValueTask<TrialRecord> FinishAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken)
    {
        TrialRecord done;
        try
        {
            using (HpoTelemetry.TimeStorage("finish_trial"))
            {
                done = await Storage.FinishTrialAsync(trialId, finish, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TrialAlreadyFinishedException)
        {
            ForgetAsked(trialId);
            throw;
        }

        ForgetAsked(trialId);
        history.Apply(done);
        return done;
    }

    private void ForgetAsked(long trialId)
    {
        if (Volatile.Read(ref askedCount) > 0 && askedTrials.TryRemove(trialId, out _))
        {
            Interlocked.Decrement(ref askedCount);
        }
    }

    internal static TrialFinish ToFinish(ObjectiveResult result, double? lastReported)
    {
        if (result.IsPruned)
        {
            double? last = result.Value ?? lastReported;
            return new TrialFinish(TrialState.Pruned, last is double v && double.IsFinite(v) ? [v] : []);
        }

        double value = result.Value!.Value;
        return double.IsFinite(value)
            ? new TrialFinish(TrialState.Complete, [value])
            : new TrialFinish(TrialState.Failed, [], $"The objective returned {Format.Value(value)}, which is not a finite number.");
    }

    internal (TrialCounts Counts, TrialRecord? Best) Summary => history.Summary;

    internal ILogger Logger => logger;

    internal TimeProvider TimeProvider => timeProvider;

    /// <summary>Gets or sets the horizon of the run in progress (the last one started wins), for <see cref="TunerContext.Horizon"/>.</summary>
    internal RunHorizon? RunHorizonOfRun
    {
        get => runHorizon;
        set => runHorizon = value;
    }

    internal ValueTask<IReadOnlyList<TrialRecord>> SyncHistoryAsync(CancellationToken cancellationToken) => history.SyncAsync(Storage, Record.Id, cancellationToken);

    /// <summary>Records as stale the running trials whose owner is known to be gone from this host (a killed process), without waiting for their lease.</summary>
    internal async Task FailAbandonedLocalTrialsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<TrialRecord> trials = await SyncHistoryAsync(cancellationToken).ConfigureAwait(false);
        foreach (TrialRecord t in trials)
        {
            if (t.State == TrialState.Running && t.Id >= 0 && WorkerIdentity.IsLocalOwnerGone(t.Owner))
            {
                string reason = $"Stale: its worker {t.Owner} is no longer running on this host.";
                TrialRecord? stale = await Storage.FailAbandonedTrialAsync(t.Id, t.Owner!, reason, cancellationToken).ConfigureAwait(false);
                if (stale is not null)
                {
                    history.Apply(stale);
                    logger.LogWarning("Study {Study}: trial {Number} was orphaned by a process that no longer runs ({Owner}); recorded as stale.", Name, t.Number, t.Owner);
                }
            }
        }
    }

    private async Task AskHeartbeatLoopAsync()
    {
        while (true)
        {
            if (askedTrials.IsEmpty)
            {
                Volatile.Write(ref askHeartbeatRunning, 0);

                // An AskAsync between the check and the reset would have seen the flag still set: take the loop back if so.
                if (askedTrials.IsEmpty || Interlocked.CompareExchange(ref askHeartbeatRunning, 1, 0) != 0)
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(Record.Definition.Lease / 3, timeProvider).ConfigureAwait(false);
                if (!askedTrials.IsEmpty)
                {
                    await Storage.RenewHeartbeatsAsync(Record.Id, AskOwner.Value, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (ObjectDisposedException)
            {
                // The storage is closed: nothing can be renewed any more.
                askedTrials.Clear();
                Volatile.Write(ref askHeartbeatRunning, 0);
                return;
            }
            catch (Exception e) when (e is StorageException or InvalidOperationException)
            {
                logger.LogWarning(e, "Study {Study}: renewing the heartbeats of asked trials failed; retrying at the next interval.", Name);
            }
        }
    }

    /// <summary>
    /// Proposes a started trial's parameters and stores them. One proposal at a time in this object, from the sync to the stored
    /// parameters, so that the next proposal sees this one's point. In a finite space, proposals across workers (other processes,
    /// other <see cref="Study"/> objects) are ordered as well: the proposal first waits until every trial numbered below it that
    /// another worker is proposing has its parameters (bounded by the lease), so that no two concurrent trials get the same point.
    /// </summary>
    private async ValueTask<TrialRecord> ProposeAsync(TrialRecord started, CancellationToken cancellationToken)
    {
        if (finiteSpace)
        {
            await WaitForEarlierProposalsAsync(started.Number, cancellationToken).ConfigureAwait(false);
        }

        await proposeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A tuner that does not read the history gets none: no read of the storage, and no snapshot of this process's copy,
            // whose cost grows with the study (other workers' trials stay unfinished placeholders in it when nothing syncs).
            IReadOnlyList<TrialRecord> trials = Tuner.UsesHistory(SearchSpace)
                ? await SyncHistoryAsync(cancellationToken).ConfigureAwait(false)
                : [];
            int? horizon = Budget is null ? runHorizon?.For(started.Number) : null;
            var context = new TunerContext(SearchSpace, trials, Record.Definition.Directions, started.Number, Seed, Budget, horizon);
            IReadOnlyDictionary<string, object> proposal = Tuner.Propose(context);
            IReadOnlyDictionary<string, object> valid;
            try
            {
                valid = SearchSpace.Validate(proposal);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"Tuner '{Tuner.Name}' proposed parameters that do not fit the search space: {e.Message}", e);
            }

            cancellationToken.ThrowIfCancellationRequested();
            TrialRecord proposed;
            using (HpoTelemetry.TimeStorage("set_parameters"))
            {
                proposed = await Storage.SetTrialParametersAsync(started.Id, valid, cancellationToken).ConfigureAwait(false);
            }
            history.Apply(proposed);
            return proposed;
        }
        finally
        {
            proposeGate.Release();
        }
    }

    /// <summary>
    /// Waits until no trial numbered below <paramref name="number"/> is still running without parameters in another worker (one
    /// that started before this trial and has not stored its proposal yet), or until the lease has passed (its worker may be gone).
    /// </summary>
    private async Task WaitForEarlierProposalsAsync(int number, CancellationToken cancellationToken)
    {
        long start = timeProvider.GetTimestamp();
        TimeSpan delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            IReadOnlyList<TrialRecord> trials = await SyncHistoryAsync(cancellationToken).ConfigureAwait(false);
            bool pending = false;
            for (int i = Math.Min(number, trials.Count) - 1; i >= 0 && !pending; i--)
            {
                TrialRecord t = trials[i];
                pending = t.State == TrialState.Running && t.Parameters.Count == 0 && !proposing.ContainsKey(t.Id);
            }

            if (!pending || timeProvider.GetElapsedTime(start) >= Record.Definition.Lease)
            {
                return;
            }

            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(32).Ticks));
        }
    }

    private async Task<TrialRecord> GetTrialOrThrowAsync(int number, CancellationToken cancellationToken) =>
        await Storage.GetTrialAsync(Record.Id, number, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"Study '{Name}' has no trial number {number}.");

    private static class AskOwner
    {
        public static readonly string Value = WorkerIdentity.NewOwner();
    }
}
