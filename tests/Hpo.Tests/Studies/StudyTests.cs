using System.Collections.Concurrent;
using System.Diagnostics;
using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Tests.Storage;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Studies;

public sealed class StudyTests : IDisposable
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder()
        .AddFloat("x", -5, 5)
        .AddInt("n", 0, 10)
        .Build();

    private readonly List<TempDatabase> databases = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (TempDatabase db in databases)
        {
            db.Dispose();
        }
    }

    private IStudyStorage NewStorage(bool sqlite) => sqlite ? new SqliteStudyStorage(NewDatabasePath()) : new InMemoryStudyStorage();

    private string NewDatabasePath()
    {
        var db = new TempDatabase();
        databases.Add(db);
        return db.Path;
    }

    private static double Quadratic(ITrial t) => Math.Pow(t.Get<double>("x") - 1, 2) + t.Get<int>("n");

    private static Task<Study> CreateAsync(IStudyStorage storage, string name = "study", int? budget = null, int seed = 1, StudyDirection direction = StudyDirection.Minimize, ITuner? tuner = null) =>
        Study.CreateAsync(storage, name, Space, new StudyOptions { Seed = seed, Budget = budget, Direction = direction, Tuner = tuner });

    private static IReadOnlyDictionary<string, object> Point(double x, long n) => new Dictionary<string, object> { ["x"] = x, ["n"] = n };

    private static string Describe(IReadOnlyDictionary<string, object> parameters) =>
        string.Join(",", parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => FormattableString.Invariant($"{kv.Key}={kv.Value}")));

    private static async Task AssertNothingUnfinishedAsync(IStudyStorage storage, Study study)
    {
        TrialCounts counts = await storage.GetTrialCountsAsync(study.Record.Id, CancellationToken.None);
        Assert.Equal(0, counts.Running);
        Assert.Equal(0, counts.Waiting);
        Assert.DoesNotContain(await study.GetTrialsAsync(), t => !t.IsFinished);
    }

    // ---------------------------------------------------------------- create, load, create-or-load

    [Fact]
    public async Task CreateAsync_NewName_StoresTheDefinitionFromTheOptions()
    {
        await using var storage = new InMemoryStudyStorage();

        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Direction = StudyDirection.Maximize, Seed = 7, Budget = 12, Lease = TimeSpan.FromSeconds(5) });

        StudyRecord? stored = await storage.GetStudyAsync("s", CancellationToken.None);
        Assert.False(study.IsResumed);
        Assert.Equal("s", study.Name);
        Assert.Equal(StudyDirection.Maximize, study.Direction);
        Assert.Equal(7, study.Seed);
        Assert.Equal(12, study.Budget);
        Assert.Equal(RandomSearchTuner.TunerName, study.Tuner.Name);
        Assert.NotNull(stored);
        Assert.Equal(Space, stored.Definition.SearchSpace);
        Assert.Equal([StudyDirection.Maximize], stored.Definition.Directions);
        Assert.Equal(RandomSearchTuner.TunerName, stored.Definition.TunerName);
        Assert.Equal(7, stored.Definition.Seed);
        Assert.Equal(12, stored.Definition.Budget);
        Assert.Equal(TimeSpan.FromSeconds(5), stored.Definition.Lease);
    }

    [Fact]
    public async Task CreateAsync_NoSeed_DrawsOneAndStoresIt()
    {
        await using var storage = new InMemoryStudyStorage();

        Study a = await Study.CreateAsync(storage, "a", Space);
        Study b = await Study.CreateAsync(storage, "b", Space);

        Assert.Equal(a.Seed, (await storage.GetStudyAsync("a", CancellationToken.None))!.Definition.Seed);
        Assert.Equal(b.Seed, (await Study.LoadAsync(storage, "b")).Seed);
        Assert.NotEqual(a.Seed, b.Seed);
    }

    [Fact]
    public async Task CreateAsync_ExistingName_ThrowsDuplicateStudyExceptionPointingToCreateOrLoad()
    {
        await using var storage = new InMemoryStudyStorage();
        await CreateAsync(storage, "dup");

        DuplicateStudyException e = await Assert.ThrowsAsync<DuplicateStudyException>(() => CreateAsync(storage, "dup"));

        Assert.Contains("CreateOrLoadAsync", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_ExistingStudy_UsesTheStoredSettings()
    {
        await using var storage = new InMemoryStudyStorage();
        await Study.CreateAsync(storage, "s", Space, new StudyOptions { Direction = StudyDirection.Maximize, Seed = 99, Budget = 4 });

        Study loaded = await Study.LoadAsync(storage, "s");

        Assert.True(loaded.IsResumed);
        Assert.Equal(99, loaded.Seed);
        Assert.Equal(4, loaded.Budget);
        Assert.Equal(StudyDirection.Maximize, loaded.Direction);
        Assert.Equal(Space, loaded.SearchSpace);
        Assert.Equal(RandomSearchTuner.TunerName, loaded.Tuner.Name);
    }

    [Fact]
    public async Task LoadAsync_MissingStudy_ThrowsKeyNotFoundException()
    {
        await using var storage = new InMemoryStudyStorage();

        KeyNotFoundException e = await Assert.ThrowsAsync<KeyNotFoundException>(() => Study.LoadAsync(storage, "nope"));

        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateOrLoadAsync_MissingThenExisting_CreatesThenResumesWithStoredSeed()
    {
        await using var storage = new InMemoryStudyStorage();

        Study created = await Study.CreateOrLoadAsync(storage, "s", Space, new StudyOptions { Seed = 5, Budget = 3 });
        await created.OptimizeAsync(Quadratic, new OptimizeOptions { TrialCount = 2 });
        Study resumed = await Study.CreateOrLoadAsync(storage, "s", Space, new StudyOptions { Seed = 6, Budget = 100 });

        Assert.False(created.IsResumed);
        Assert.True(resumed.IsResumed);
        Assert.Equal(created.Record.Id, resumed.Record.Id);
        Assert.Equal(5, resumed.Seed);
        Assert.Equal(3, resumed.Budget);
        OptimizeResult rest = await resumed.OptimizeAsync(Quadratic);
        Assert.Equal(1, rest.TrialsRun);
        Assert.Equal(3, (await resumed.GetTrialCountsAsync()).Complete);
    }

    [Fact]
    public async Task CreateOrLoadAsync_DifferentSearchSpace_ThrowsInvalidOperationException()
    {
        await using var storage = new InMemoryStudyStorage();
        await CreateAsync(storage, "s");
        SearchSpace other = SearchSpace.CreateBuilder().AddFloat("x", -5, 6).AddInt("n", 0, 10).Build();

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => Study.CreateOrLoadAsync(storage, "s", other));

        Assert.Contains("different search space", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateOrLoadAsync_DifferentDirection_ThrowsInvalidOperationException()
    {
        await using var storage = new InMemoryStudyStorage();
        await CreateAsync(storage, "s");

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => Study.CreateOrLoadAsync(storage, "s", Space, new StudyOptions { Direction = StudyDirection.Maximize }));

        Assert.Contains("direction", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateOrLoadAsync_SeveralInstancesAtOnce_OneCreatesAndTheOthersResume()
    {
        string path = NewDatabasePath();
        SqliteStudyStorage[] storages = Enumerable.Range(0, 4).Select(_ => new SqliteStudyStorage(path)).ToArray();
        try
        {
            Study[] studies = await Task.WhenAll(storages.Select(s => Task.Run(() => Study.CreateOrLoadAsync(s, "shared", Space, new StudyOptions { Seed = 3 }))));

            Assert.Single(studies, s => !s.IsResumed);
            Assert.Single(studies.Select(s => s.Record.Id).Distinct());
        }
        finally
        {
            foreach (SqliteStudyStorage s in storages)
            {
                await s.DisposeAsync();
            }
        }
    }

    // ---------------------------------------------------------------- ask and tell

    [Fact]
    public async Task AskAsync_NewStudy_StartsATrialWithParametersInTheSpace()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        ITrial trial = await study.AskAsync();

        Assert.Equal(0, trial.Number);
        Assert.Equal("study", trial.StudyName);
        Space.Validate(trial.Parameters);
        TrialRecord stored = (await study.GetTrialsAsync()).Single();
        Assert.Equal(TrialState.Running, stored.State);
        Assert.Equal(Describe(trial.Parameters), Describe(stored.Parameters));
    }

    [Fact]
    public async Task AskAsync_FiniteSpaceWhileAnotherWorkerProposesALowerTrial_WaitsForItsPointAndTakesAnother()
    {
        await using var storage = new InMemoryStudyStorage();
        SearchSpace two = SearchSpace.CreateBuilder().AddCategorical("c", "p", "q").Build();
        Study study = await Study.CreateAsync(storage, "two", two, new StudyOptions { Seed = 3, Lease = TimeSpan.FromSeconds(30) });

        // Another worker has started trial 0 and not stored its proposal yet; it will take the point this study would propose for
        // trial 1 on an empty history, so asking now must wait for it and then take the other point.
        TrialRecord other = (await storage.StartTrialAsync(study.Record.Id, "other-worker", CancellationToken.None))!;
        IReadOnlyDictionary<string, object> contested = new RandomSearchTuner().Propose(new TunerContext(two, [], [StudyDirection.Minimize], 1, 3));
        Task<ITrial> ask = study.AskAsync();
        await Task.Delay(200);
        Assert.False(ask.IsCompleted, "The ask did not wait for the lower-numbered trial's proposal.");
        await storage.SetTrialParametersAsync(other.Id, contested, CancellationToken.None);
        ITrial trial = await ask.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, trial.Number);
        Assert.NotEqual(contested["c"], trial.Parameters["c"]);
    }

    [Fact]
    public async Task AskAsync_FiniteSpaceLowerTrialOfAWorkerThatNeverProposes_ProceedsAfterTheLease()
    {
        await using var storage = new InMemoryStudyStorage();
        SearchSpace two = SearchSpace.CreateBuilder().AddCategorical("c", "p", "q").Build();
        Study study = await Study.CreateAsync(storage, "two", two, new StudyOptions { Seed = 3, Lease = TimeSpan.FromMilliseconds(300) });
        await storage.StartTrialAsync(study.Record.Id, "gone-worker", CancellationToken.None);
        var clock = Stopwatch.StartNew();

        ITrial trial = await study.AskAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, trial.Number);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"The ask took {clock.Elapsed}: it did not wait for the lower trial.");
        two.Validate(trial.Parameters);
    }

    [Fact]
    public async Task TellAsync_Value_RecordsACompleteTrialAndTheBest()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        ITrial a = await study.AskAsync();
        ITrial b = await study.AskAsync();

        TrialRecord doneB = await study.TellAsync(b, 0.5);
        TrialRecord doneA = await study.TellAsync(a, 2.0);

        Assert.Equal(TrialState.Complete, doneA.State);
        Assert.Equal(2.0, doneA.Value);
        Assert.Equal(0.5, doneB.Value);
        Assert.Equal(1, (await study.GetBestTrialAsync())?.Number);
        Assert.Equal(new TrialCounts(0, 0, 2, 0, 0), await study.GetTrialCountsAsync());
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public async Task TellAsync_NonFiniteValue_RecordsAFailedTrial(double value)
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        ITrial trial = await study.AskAsync();

        TrialRecord done = await study.TellAsync(trial, value);

        Assert.Equal(TrialState.Failed, done.State);
        Assert.Contains("not a finite number", done.FailReason, StringComparison.Ordinal);
        Assert.Null(await study.GetBestTrialAsync());
    }

    [Fact]
    public async Task TellAsync_TrialAlreadyTold_ThrowsTrialAlreadyFinishedException()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        ITrial trial = await study.AskAsync();
        await study.TellAsync(trial, 1.0);

        await Assert.ThrowsAsync<TrialAlreadyFinishedException>(() => study.TellAsync(trial, 2.0));

        Assert.Equal(1.0, (await study.GetTrialsAsync()).Single().Value);
    }

    [Fact]
    public async Task TellAsync_PrunedWithoutValue_KeepsTheLastReportedValue()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        ITrial trial = await study.AskAsync();
        await trial.ReportAsync(1, 0.9);
        await trial.ReportAsync(2, 0.7);

        TrialRecord done = await study.TellAsync(trial.Number, ObjectiveResult.Pruned());

        Assert.Equal(TrialState.Pruned, done.State);
        Assert.Equal([0.7], done.Values);
        Assert.Equal([1L, 2L], done.IntermediateValues.Keys);
    }

    [Fact]
    public async Task TellFailedAsync_ReasonAndException_RecordsThem()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        ITrial trial = await study.AskAsync();

        TrialRecord done = await study.TellFailedAsync(trial.Number, "GPU fell over", new TimeoutException("late"));

        Assert.Equal(TrialState.Failed, done.State);
        Assert.Equal("GPU fell over", done.FailReason);
        Assert.Equal(typeof(TimeoutException).FullName, done.ExceptionType);
    }

    [Fact]
    public async Task TellAsync_UnknownTrialNumber_ThrowsKeyNotFoundException()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => study.TellAsync(3, 1.0));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => study.TellFailedAsync(3, "x"));
    }

    [Fact]
    public async Task AskAsync_BudgetFilled_ThrowsInvalidOperationException()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage, budget: 2);
        ITrial first = await study.AskAsync();
        await study.AskAsync();
        await study.TellAsync(first, 1.0);

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => study.AskAsync());

        Assert.Contains("budget of 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await study.GetTrialsAsync()).Count);
    }

    // ---------------------------------------------------------------- enqueue

    [Fact]
    public async Task EnqueueAsync_Points_RunBeforeProposalsInOrder()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        await study.EnqueueAsync(Point(0.5, 3));
        await study.EnqueueAsync(new Dictionary<string, object> { ["x"] = -2.0, ["n"] = 7 });
        var seen = new ConcurrentQueue<(int Number, string Parameters)>();

        await study.OptimizeAsync(t =>
        {
            seen.Enqueue((t.Number, Describe(t.Parameters)));
            return Quadratic(t);
        }, new OptimizeOptions { TrialCount = 4 });

        Assert.Equal([0, 1, 2, 3], seen.Select(s => s.Number));
        Assert.Equal("n=3,x=0.5", seen.ElementAt(0).Parameters);
        Assert.Equal("n=7,x=-2", seen.ElementAt(1).Parameters);
        Assert.Equal(4, seen.Select(s => s.Parameters).Distinct().Count());
        Assert.Equal(7L, (await study.GetTrialsAsync())[1].Parameters["n"]);
    }

    [Fact]
    public async Task EnqueueAsync_AskAfterwards_ReturnsTheEnqueuedPoint()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        TrialRecord waiting = await study.EnqueueAsync(Point(4.0, 0));

        ITrial trial = await study.AskAsync();

        Assert.Equal(TrialState.Waiting, waiting.State);
        Assert.Equal(waiting.Number, trial.Number);
        Assert.Equal(4.0, trial.Get<double>("x"));
        Assert.Equal(0, trial.Get<int>("n"));
    }

    public static TheoryData<Dictionary<string, object>, string> InvalidPoints() => new()
    {
        { new Dictionary<string, object> { ["x"] = 0.0, ["n"] = 1L, ["extra"] = 1.0 }, "'extra'" },
        { new Dictionary<string, object> { ["x"] = 0.0 }, "'n'" },
        { new Dictionary<string, object> { ["x"] = 9.0, ["n"] = 1L }, "'x'" },
        { new Dictionary<string, object> { ["x"] = 0.0, ["n"] = 11L }, "'n'" },
    };

    [Theory]
    [MemberData(nameof(InvalidPoints))]
    public async Task EnqueueAsync_InvalidPoint_ThrowsArgumentExceptionAndStoresNothing(Dictionary<string, object> point, string named)
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => study.EnqueueAsync(point));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Empty(await study.GetTrialsAsync());
    }

    // ---------------------------------------------------------------- optimize: stop conditions and concurrency

    [Fact]
    public async Task OptimizeAsync_TrialCount_RunsExactlyThatManyTrials()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        OptimizeResult result = await study.OptimizeAsync(Quadratic, new OptimizeOptions { TrialCount = 7, Concurrency = 3 });

        Assert.Equal(7, result.TrialsRun);
        Assert.Equal(OptimizeStopReason.TrialCountReached, result.StopReason);
        Assert.Equal(new TrialCounts(0, 0, 7, 0, 0), result.Counts);
        Assert.Equal(Enumerable.Range(0, 7), (await study.GetTrialsAsync()).Select(t => t.Number));
        Assert.Equal((await study.GetBestTrialAsync())?.Number, result.BestTrial?.Number);
    }

    [Fact]
    public async Task OptimizeAsync_StudyBudget_StopsAtTheBudgetAcrossRuns()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage, budget: 10);

        OptimizeResult first = await study.OptimizeAsync(async (t, ct) =>
        {
            await Task.Delay(5, ct);
            return Quadratic(t);
        }, new OptimizeOptions { Concurrency = 3 });
        OptimizeResult second = await study.OptimizeAsync(Quadratic);

        Assert.Equal(10, first.TrialsRun);
        Assert.Equal(OptimizeStopReason.BudgetReached, first.StopReason);
        Assert.Equal(0, second.TrialsRun);
        Assert.Equal(OptimizeStopReason.BudgetReached, second.StopReason);
        Assert.Equal(new TrialCounts(0, 0, 10, 0, 0), await study.GetTrialCountsAsync());
    }

    [Fact]
    public async Task OptimizeAsync_TrialCountBeyondBudget_StopsAtTheBudget()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage, budget: 4);

        OptimizeResult result = await study.OptimizeAsync(Quadratic, new OptimizeOptions { TrialCount = 10, Concurrency = 2 });

        Assert.Equal(4, result.TrialsRun);
        Assert.Equal(OptimizeStopReason.BudgetReached, result.StopReason);
    }

    [Fact]
    public async Task OptimizeAsync_Timeout_StopsStartingTrialsAndLetsRunningOnesFinish()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        var clock = Stopwatch.StartNew();

        OptimizeResult result = await study.OptimizeAsync(async (t, ct) =>
        {
            await Task.Delay(40, CancellationToken.None);
            return Quadratic(t);
        }, new OptimizeOptions { Timeout = TimeSpan.FromMilliseconds(400), Concurrency = 2 });

        Assert.Equal(OptimizeStopReason.TimedOut, result.StopReason);
        Assert.InRange(result.TrialsRun, 2, 40);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
        Assert.Equal(result.TrialsRun, (await study.GetTrialCountsAsync()).Complete);
        await AssertNothingUnfinishedAsync(storage, study);
    }

    [Fact]
    public async Task OptimizeAsync_StopTokenCancelledMidTrial_RunningTrialsFinishAndNoneStarts()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        using var stop = new CancellationTokenSource();
        var started = new SemaphoreSlim(0);

        Task<OptimizeResult> run = study.OptimizeAsync(async (t, ct) =>
        {
            started.Release();
            await Task.Delay(300, ct);
            return Quadratic(t);
        }, new OptimizeOptions { StopToken = stop.Token, Concurrency = 2 });
        await started.WaitAsync();
        await started.WaitAsync();
        await stop.CancelAsync();
        OptimizeResult result = await run;

        Assert.Equal(OptimizeStopReason.Stopped, result.StopReason);
        Assert.Equal(2, result.TrialsRun);
        TrialCounts counts = await study.GetTrialCountsAsync();
        Assert.Equal(2, counts.Complete);
        Assert.Equal(2, counts.Total);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task OptimizeAsync_Concurrency_RunsThatManyTrialsAtOnce(int concurrency)
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        int current = 0, max = 0;

        await study.OptimizeAsync(async (t, ct) =>
        {
            int now = Interlocked.Increment(ref current);
            int seen;
            while ((seen = Volatile.Read(ref max)) < now && Interlocked.CompareExchange(ref max, now, seen) != seen)
            {
            }

            await Task.Delay(80, ct);
            Interlocked.Decrement(ref current);
            return Quadratic(t);
        }, new OptimizeOptions { TrialCount = concurrency * 3, Concurrency = concurrency });

        Assert.Equal(concurrency, max);
        Assert.Equal(concurrency * 3, (await study.GetTrialCountsAsync()).Complete);
    }

    // ---------------------------------------------------------------- optimize: failures

    [Fact]
    public async Task OptimizeAsync_TrialTimeoutAndObjectiveIgnoresToken_RecordsFailedTimedOut()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        var clock = Stopwatch.StartNew();

        OptimizeResult result = await study.OptimizeAsync(async (t, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(t.Number == 1 ? 0 : 10), CancellationToken.None);
            return Quadratic(t);
        }, new OptimizeOptions { TrialCount = 3, TrialTimeout = TimeSpan.FromMilliseconds(200) });

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The run took {clock.Elapsed}.");
        Assert.Equal([TrialState.Failed, TrialState.Complete, TrialState.Failed], trials.Select(t => t.State));
        Assert.StartsWith("Timed out", trials[0].FailReason, StringComparison.Ordinal);
        Assert.StartsWith("Timed out", trials[2].FailReason, StringComparison.Ordinal);
        Assert.Equal(3, result.TrialsRun);
    }

    [Fact]
    public async Task OptimizeAsync_TrialTimeoutAndObjectiveBlocksSynchronously_RecordsFailedTimedOut()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        await study.OptimizeAsync(t =>
        {
            Thread.Sleep(t.Number == 0 ? 1500 : 0);
            return Quadratic(t);
        }, new OptimizeOptions { TrialCount = 2, TrialTimeout = TimeSpan.FromMilliseconds(200) });

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(TrialState.Failed, trials[0].State);
        Assert.StartsWith("Timed out", trials[0].FailReason, StringComparison.Ordinal);
        Assert.Equal(TrialState.Complete, trials[1].State);
    }

    [Fact]
    public async Task OptimizeAsync_TrialTimeout_CancelsTheObjectivesToken()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await study.OptimizeAsync(async (t, ct) =>
        {
            using CancellationTokenRegistration r = ct.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return 0.0;
        }, new OptimizeOptions { TrialCount = 1, TrialTimeout = TimeSpan.FromMilliseconds(100) });

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        TrialRecord trial = (await study.GetTrialsAsync()).Single();
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.StartsWith("Timed out", trial.FailReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptimizeAsync_ObjectiveThrows_RecordsFailedWithMessageAndTypeAndContinues()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        OptimizeResult result = await study.OptimizeAsync(t => t.Number == 1 ? throw new InvalidOperationException("bad batch size") : Quadratic(t), new OptimizeOptions { TrialCount = 5 });

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(5, result.TrialsRun);
        Assert.Equal(new TrialCounts(0, 0, 4, 0, 1), result.Counts);
        Assert.Equal(TrialState.Failed, trials[1].State);
        Assert.Contains("bad batch size", trials[1].FailReason, StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidOperationException), trials[1].FailReason, StringComparison.Ordinal);
        Assert.Equal(typeof(InvalidOperationException).FullName, trials[1].ExceptionType);
    }

    [Fact]
    public async Task OptimizeAsync_RetryOnException_RerunsTheTrialAsANewTrialThatRecordsItsOrigin()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "retries", Space, new StudyOptions { Seed = 3, Budget = 6, MaxRetries = 2, RetryOn = RetryOn.Exception });
        var attempts = new ConcurrentDictionary<string, int>();
        string? flaky = null;

        // The first point fails twice (the original trial and its first retry), then succeeds.
        OptimizeResult result = await study.OptimizeAsync(async (t, ct) =>
        {
            await t.ReportAsync(t.Number, t.Number, ct);
            string point = Describe(t.Parameters);
            flaky ??= point;
            return point == flaky && attempts.AddOrUpdate(point, 1, (_, n) => n + 1) <= 2 ? throw new IOException("flaky disk") : Quadratic(t);
        }, new OptimizeOptions());

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal([TrialState.Failed, TrialState.Failed, TrialState.Complete], trials.Take(3).Select(t => t.State));
        Assert.Equal([null, 0, 1], trials.Take(3).Select(TrialRetry.RetryOf));
        Assert.Equal([0, 1, 2], trials.Take(3).Select(TrialRetry.Attempt));
        Assert.All(trials.Take(3), t => Assert.Equal(flaky, Describe(t.Parameters)));
        Assert.Equal([0L, 1L, 2L], trials[2].IntermediateValues.Keys);
        Assert.Equal(3, attempts[flaky!]);
        Assert.Equal(6, trials.Count);
        Assert.Equal(new TrialCounts(0, 0, 4, 0, 2), result.Counts);
        await AssertNothingUnfinishedAsync(storage, study);
    }

    [Fact]
    public async Task OptimizeAsync_RetriesSpent_LastAttemptStaysFailed()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "spent", Space, new StudyOptions { Seed = 3, MaxRetries = 1, RetryOn = RetryOn.Exception | RetryOn.Timeout });

        OptimizeResult result = await study.OptimizeAsync(t => throw new InvalidOperationException("always"), new OptimizeOptions { TrialCount = 2 });

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal([0, 1], trials.Select(t => t.Number));
        Assert.Equal(0, TrialRetry.RetryOf(trials[1]));
        Assert.All(trials, t => Assert.Equal(TrialState.Failed, t.State));
        Assert.Equal(new TrialCounts(0, 0, 0, 0, 2), result.Counts);
    }

    [Fact]
    public async Task OptimizeAsync_RetryOnTimeoutOnly_RetriesTimeoutsButNotExceptions()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "timeouts", Space, new StudyOptions { Seed = 3, MaxRetries = 1, RetryOn = RetryOn.Timeout });

        await study.OptimizeAsync(async (t, ct) =>
        {
            if (t.Number == 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
            }

            return t.Number == 2 ? throw new InvalidOperationException("not retried") : Quadratic(t);
        }, new OptimizeOptions { TrialCount = 3, TrialTimeout = TimeSpan.FromMilliseconds(200) });

        // Trial 0 timed out and its retry (trial 1, run before any new proposal) completed; trial 2 threw and was not retried.
        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal([0, 1, 2], trials.Select(t => t.Number));
        Assert.StartsWith("Timed out", trials[0].FailReason, StringComparison.Ordinal);
        Assert.Equal(0, TrialRetry.RetryOf(trials[1]));
        Assert.Equal(TrialState.Complete, trials[1].State);
        Assert.Equal(Describe(trials[0].Parameters), Describe(trials[1].Parameters));
        Assert.Equal(TrialState.Failed, trials[2].State);
        Assert.Null(TrialRetry.RetryOf(trials[2]));
    }

    [Fact]
    public async Task OptimizeAsync_FailurePolicyStopWithRetry_RetriesInsteadOfStopping()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "stop", Space, new StudyOptions { Seed = 3, MaxRetries = 1, RetryOn = RetryOn.Exception });

        await Assert.ThrowsAsync<FormatException>(() =>
            study.OptimizeAsync(t => t.Number <= 1 ? throw new FormatException("bad") : Quadratic(t), new OptimizeOptions { TrialCount = 5, FailurePolicy = FailurePolicy.Stop }));

        // Trial 0 failed and was retried as trial 1, whose failure (retries spent) stopped the run.
        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal([TrialState.Failed, TrialState.Failed], trials.Select(t => t.State));
        Assert.Equal(0, TrialRetry.RetryOf(trials[1]));
    }

    [Fact]
    public async Task OptimizeAsync_FailurePolicyStop_RethrowsTheExceptionAfterRecordingIt()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        var boom = new FormatException("corrupt data");

        FormatException thrown = await Assert.ThrowsAsync<FormatException>(() =>
            study.OptimizeAsync(t => t.Number == 2 ? throw boom : Quadratic(t), new OptimizeOptions { TrialCount = 10, FailurePolicy = FailurePolicy.Stop }));

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Same(boom, thrown);
        Assert.Equal(3, trials.Count);
        Assert.Equal(TrialState.Failed, trials[2].State);
        Assert.Contains("corrupt data", trials[2].FailReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptimizeAsync_FailurePolicyStopWithConcurrency_LetsRunningTrialsFinish()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        await Assert.ThrowsAsync<InvalidOperationException>(() => study.OptimizeAsync(async (t, ct) =>
        {
            if (t.Number == 3)
            {
                throw new InvalidOperationException("stop here");
            }

            await Task.Delay(60, ct);
            return Quadratic(t);
        }, new OptimizeOptions { TrialCount = 50, Concurrency = 3, FailurePolicy = FailurePolicy.Stop }));

        TrialCounts counts = await study.GetTrialCountsAsync();
        Assert.Equal(1, counts.Failed);
        Assert.InRange(counts.Total, 4, 10);
        await AssertNothingUnfinishedAsync(storage, study);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public async Task OptimizeAsync_NonFiniteValue_RecordsFailed(double value)
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        OptimizeResult result = await study.OptimizeAsync(t => t.Number == 0 ? value : 1.0, new OptimizeOptions { TrialCount = 2 });

        TrialRecord first = (await study.GetTrialsAsync())[0];
        Assert.Equal(TrialState.Failed, first.State);
        Assert.Contains("not a finite number", first.FailReason, StringComparison.Ordinal);
        Assert.Equal(1, result.BestTrial?.Number);
    }

    [Fact]
    public async Task OptimizeAsync_PrunedResultOrException_RecordsPrunedWithTheValue()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        await study.OptimizeAsync(async (t, ct) =>
        {
            await t.ReportAsync(1, 10 + t.Number, ct);
            await t.ReportAsync(2, 20 + t.Number, ct);
            return t.Number switch
            {
                0 => ObjectiveResult.Pruned(),
                1 => ObjectiveResult.Pruned(1.5),
                2 => throw new TrialPrunedException(),
                _ => 3.0,
            };
        }, new OptimizeOptions { TrialCount = 4 });

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal([TrialState.Pruned, TrialState.Pruned, TrialState.Pruned, TrialState.Complete], trials.Select(t => t.State));
        Assert.Equal([20.0], trials[0].Values);
        Assert.Equal([1.5], trials[1].Values);
        Assert.Equal([22.0], trials[2].Values);
        Assert.Equal(3, (await study.GetBestTrialAsync())?.Number);
    }

    // ---------------------------------------------------------------- optimize: cancellation

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OptimizeAsync_CallerCancels_RecordsRunningTrialsAsCancelledAndThrows(bool sqlite)
    {
        await using IStudyStorage storage = NewStorage(sqlite);
        Study study = await CreateAsync(storage);
        using var cts = new CancellationTokenSource();
        int started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task<OptimizeResult> run = study.OptimizeAsync(async (t, ct) =>
        {
            if (Interlocked.Increment(ref started) == 3)
            {
                allStarted.TrySetResult();
            }

            await Task.Delay(Timeout.Infinite, ct);
            return 0.0;
        }, new OptimizeOptions { TrialCount = 10, Concurrency = 3 }, cts.Token);
        await allStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(3, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Failed, t.State);
            Assert.StartsWith("Cancelled", t.FailReason, StringComparison.Ordinal);
        });
        await AssertNothingUnfinishedAsync(storage, study);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OptimizeAsync_CallerCancelsWhileATrialIsProposed_LeavesNothingRunning(bool sqlite)
    {
        await using IStudyStorage storage = NewStorage(sqlite);
        using var cts = new CancellationTokenSource();
        Study study = await CreateAsync(storage, tuner: new CancellingTuner(cts, atTrial: 2));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => study.OptimizeAsync(Quadratic, new OptimizeOptions { TrialCount = 10 }, cts.Token));

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(3, trials.Count);
        Assert.Equal(TrialState.Failed, trials[2].State);
        Assert.StartsWith("Cancelled", trials[2].FailReason, StringComparison.Ordinal);
        await AssertNothingUnfinishedAsync(storage, study);
    }

    [Fact]
    public async Task OptimizeAsync_TokenAlreadyCancelled_ThrowsWithoutStartingTrials()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => study.OptimizeAsync(Quadratic, new OptimizeOptions { TrialCount = 3 }, new CancellationToken(canceled: true)));

        Assert.Empty(await study.GetTrialsAsync());
    }

    /// <summary>Random search that cancels the run while it proposes one trial (between the trial's start and its parameters).</summary>
    private sealed class CancellingTuner(CancellationTokenSource cts, int atTrial) : TunerBase
    {
        private readonly RandomSearchTuner inner = new();

        public override string Name => "cancelling";

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context)
        {
            if (context.TrialNumber == atTrial)
            {
                cts.Cancel();
            }

            return inner.Propose(context);
        }
    }

    [Fact]
    public async Task OptimizeAsync_TunerThrows_RecordsTheTrialFailedAndThrows()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage, tuner: new ThrowingTuner(atTrial: 1));

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => study.OptimizeAsync(Quadratic, new OptimizeOptions { TrialCount = 5 }));

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal("tuner broke", e.Message);
        Assert.Equal(TrialState.Failed, trials[1].State);
        Assert.Contains("tuner broke", trials[1].FailReason, StringComparison.Ordinal);
        await AssertNothingUnfinishedAsync(storage, study);
    }

    private sealed class ThrowingTuner(int atTrial) : TunerBase
    {
        private readonly RandomSearchTuner inner = new();

        public override string Name => "throwing";

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context) =>
            context.TrialNumber == atTrial ? throw new InvalidOperationException("tuner broke") : inner.Propose(context);
    }

    [Theory]
    [InlineData(true, 5)]
    [InlineData(false, 0)]
    public async Task OptimizeAsync_TunerUsesHistoryOrNot_GetsTheHistoryOnlyWhenItReadsIt(bool usesHistory, int trialsSeenAtLast)
    {
        await using var storage = new InMemoryStudyStorage();
        var tuner = new HistoryRecordingTuner(usesHistory);
        Study study = await CreateAsync(storage, tuner: tuner);

        await study.OptimizeAsync(Quadratic, new OptimizeOptions { TrialCount = 5 });

        // The fifth proposal sees the four finished trials and its own (unfinished) when the tuner reads the history, else none.
        Assert.Equal(5, tuner.TrialsSeen.Count);
        Assert.Equal(trialsSeenAtLast, tuner.TrialsSeen[^1]);
    }

    private sealed class HistoryRecordingTuner(bool usesHistory) : TunerBase
    {
        private readonly RandomSearchTuner inner = new();

        public List<int> TrialsSeen { get; } = [];

        public override string Name => "recording";

        public override bool UsesHistory(SearchSpace searchSpace) => usesHistory;

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context)
        {
            TrialsSeen.Add(context.Trials.Count);
            return inner.Propose(context);
        }
    }

    // ---------------------------------------------------------------- progress callback

    [Fact]
    public async Task OptimizeAsync_OnTrialFinished_CalledOncePerTrialWithBestSoFarAndCounts()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        double[] values = [5, 3, 4, 1, 1, 2, 0.5, 7];
        var calls = new List<TrialFinishedArguments>();

        await study.OptimizeAsync(
            t => t.Number == 2 ? throw new InvalidOperationException("x") : values[t.Number],
            new OptimizeOptions
            {
                TrialCount = values.Length,
                OnTrialFinished = args =>
                {
                    calls.Add(args);
                    return ValueTask.CompletedTask;
                },
            });

        Assert.Equal(Enumerable.Range(0, values.Length), calls.Select(c => c.Trial.Number));
        Assert.Equal([0, 1, 1, 3, 3, 3, 6, 6], calls.Select(c => c.BestTrial?.Number ?? -1));
        Assert.Equal(Enumerable.Range(1, values.Length), calls.Select(c => c.Counts.Finished));
        Assert.Equal([0, 0, 1, 1, 1, 1, 1, 1], calls.Select(c => c.Counts.Failed));
        Assert.All(calls, c => Assert.Same(study, c.Study));
        Assert.Equal(TrialState.Failed, calls[2].Trial.State);
    }

    [Fact]
    public async Task OptimizeAsync_OnTrialFinishedThrows_StudyGoesOn()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        int calls = 0;

        OptimizeResult result = await study.OptimizeAsync(Quadratic, new OptimizeOptions
        {
            TrialCount = 5,
            Concurrency = 2,
            OnTrialFinished = _ =>
            {
                Interlocked.Increment(ref calls);
                throw new InvalidOperationException("callback bug");
            },
        });

        Assert.Equal(5, result.TrialsRun);
        Assert.Equal(5, calls);
        Assert.Equal(5, (await study.GetTrialCountsAsync()).Complete);
    }

    [Fact]
    public async Task OptimizeAsync_OnTrialFinishedWithConcurrency_IsCalledOneAtATime()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await CreateAsync(storage);
        int inside = 0, overlaps = 0, calls = 0;

        await study.OptimizeAsync(async (t, ct) =>
        {
            await Task.Delay(10, ct);
            return Quadratic(t);
        }, new OptimizeOptions
        {
            TrialCount = 12,
            Concurrency = 4,
            OnTrialFinished = async _ =>
            {
                if (Interlocked.Increment(ref inside) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                Interlocked.Increment(ref calls);
                await Task.Delay(15);
                Interlocked.Decrement(ref inside);
            },
        });

        Assert.Equal(12, calls);
        Assert.Equal(0, overlaps);
    }

    // ---------------------------------------------------------------- reproducibility and several workers

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OptimizeAsync_SameSeed_ProposesTheSameSequence(bool sqlite)
    {
        await using IStudyStorage storage = NewStorage(sqlite);

        string[] first = await ProposedSequenceAsync(storage, "first", seed: 2024, concurrency: 1);
        string[] second = await ProposedSequenceAsync(storage, "second", seed: 2024, concurrency: 1);
        string[] concurrent = await ProposedSequenceAsync(storage, "concurrent", seed: 2024, concurrency: 3);
        string[] other = await ProposedSequenceAsync(storage, "other", seed: 2025, concurrency: 1);

        Assert.Equal(first, second);
        Assert.Equal(first, concurrent);
        Assert.Equal(12, first.Distinct().Count());
        Assert.NotEqual(first, other);
    }

    private static async Task<string[]> ProposedSequenceAsync(IStudyStorage storage, string name, int seed, int concurrency)
    {
        Study study = await CreateAsync(storage, name, seed: seed);
        await study.OptimizeAsync(Quadratic, new OptimizeOptions { TrialCount = 12, Concurrency = concurrency });
        return [.. (await study.GetTrialsAsync()).OrderBy(t => t.Number).Select(t => Describe(t.Parameters))];
    }

    [Fact]
    public async Task OptimizeAsync_TwoStudyObjectsOnOneSqliteFile_FinishExactlyTheBudgetTogether()
    {
        string path = NewDatabasePath();
        await using var storageA = new SqliteStudyStorage(path);
        await using var storageB = new SqliteStudyStorage(path);
        const int Budget = 30;
        var options = new StudyOptions { Seed = 11, Budget = Budget };
        Study a = await Study.CreateOrLoadAsync(storageA, "shared", Space, options);
        Study b = await Study.CreateOrLoadAsync(storageB, "shared", Space, options);
        var evaluated = new ConcurrentBag<int>();

        async ValueTask<ObjectiveResult> Objective(ITrial t, CancellationToken ct)
        {
            evaluated.Add(t.Number);
            await Task.Delay(5, ct);
            return Quadratic(t);
        }

        OptimizeResult[] results = await Task.WhenAll(
            a.OptimizeAsync(Objective, new OptimizeOptions { Concurrency = 2 }),
            b.OptimizeAsync(Objective, new OptimizeOptions { Concurrency = 2 }));

        IReadOnlyList<TrialRecord> trials = await a.GetTrialsAsync();
        Assert.True(b.IsResumed);
        Assert.Equal(Budget, results.Sum(r => r.TrialsRun));
        Assert.All(results, r => Assert.Equal(OptimizeStopReason.BudgetReached, r.StopReason));
        Assert.Equal(Enumerable.Range(0, Budget), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(Enumerable.Range(0, Budget), evaluated.Order());
        Assert.Equal(Budget, trials.Select(t => Describe(t.Parameters)).Distinct().Count());
    }
}
