using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Extensions.Time.Testing;

namespace Hpo.Storage.Testing;

/// <summary>
/// The contract of <see cref="IStudyStorage"/> (see its XML docs), checked against every implementation: each storage derives
/// one test class and supplies the factories.
/// </summary>
public abstract partial class StudyStorageConformanceTests
{
    protected static readonly TimeSpan TestLease = TimeSpan.FromSeconds(10);

    protected static readonly DateTimeOffset Epoch = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected static SearchSpace Space { get; } = SearchSpace.CreateBuilder()
        .AddFloat("x", -5, 5)
        .AddInt("n", 1, 100, log: true)
        .AddCategorical("kind", "a", "b")
        .Build();

    /// <summary>Creates a new, empty storage on the system clock.</summary>
    protected abstract IStudyStorage CreateStorage();

    /// <summary>Creates a new, empty storage whose timestamps and leases follow <paramref name="timeProvider"/>.</summary>
    protected abstract IStudyStorage CreateStorage(TimeProvider timeProvider);

    /// <summary>Opens a second instance on the same data as <paramref name="storage"/>, or returns null when the storage cannot be shared.</summary>
    protected virtual IStudyStorage? OpenAnotherInstance(IStudyStorage storage) => null;

    protected static StudyDefinition Definition(string name = "study", int? budget = null, StudyDirection direction = StudyDirection.Minimize, TimeSpan? lease = null, int maxRetries = 0, RetryOn retryOn = RetryOn.LostWorker) => new()
    {
        Name = name,
        SearchSpace = Space,
        Directions = [direction],
        TunerName = "random",
        Seed = 42,
        Budget = budget,
        Lease = lease ?? TestLease,
        MaxRetries = maxRetries,
        RetryOn = retryOn,
    };

    protected static IReadOnlyDictionary<string, object> Params(double x, long n = 10, string kind = "a") =>
        Space.Validate(new Dictionary<string, object> { ["x"] = x, ["n"] = n, ["kind"] = kind });

    protected static void AssertParameters(IReadOnlyDictionary<string, object> expected, IReadOnlyDictionary<string, object> actual)
    {
        Assert.Equal(
            expected.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)),
            actual.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)));
    }

    /// <summary>Asserts that two records describe the same stored trial (records hold collections, so record equality is by reference).</summary>
    protected static void AssertSameTrial(TrialRecord expected, TrialRecord actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Number, actual.Number);
        Assert.Equal(expected.State, actual.State);
        AssertParameters(expected.Parameters, actual.Parameters);
        Assert.Equal(expected.Values, actual.Values);
        Assert.Equal(expected.IntermediateValues, actual.IntermediateValues);
        Assert.Equal(expected.UserAttributes.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.UserAttributes.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal(expected.SystemAttributes.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.SystemAttributes.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.StartedAt, actual.StartedAt);
        Assert.Equal(expected.FinishedAt, actual.FinishedAt);
        Assert.Equal(expected.Owner, actual.Owner);
        Assert.Equal(expected.FailReason, actual.FailReason);
        Assert.Equal(expected.ExceptionType, actual.ExceptionType);
    }

    protected static async Task<TrialRecord> GetTrialAsync(IStudyStorage storage, long studyId, int number) =>
        await storage.GetTrialAsync(studyId, number, CancellationToken.None) ?? throw new InvalidOperationException($"Trial {number} is missing.");

    protected static async Task<TrialRecord> StartAsync(IStudyStorage storage, long studyId, string owner = "worker-a") =>
        await storage.StartTrialAsync(studyId, owner, CancellationToken.None) ?? throw new InvalidOperationException("The budget is unexpectedly full.");

    // ---------------------------------------------------------------- studies

    [Fact]
    public async Task CreateStudyAsync_NewName_ReturnsRecordWithDefinition()
    {
        await using IStudyStorage storage = CreateStorage();

        StudyRecord created = await storage.CreateStudyAsync(Definition("first"), CancellationToken.None);

        Assert.Equal("first", created.Name);
        Assert.Equal(Space, created.Definition.SearchSpace);
        Assert.NotEqual(default, created.CreatedAt);
    }

    [Fact]
    public async Task CreateStudyAsync_ExistingName_ThrowsDuplicateStudyException()
    {
        await using IStudyStorage storage = CreateStorage();
        await storage.CreateStudyAsync(Definition("taken"), CancellationToken.None);

        DuplicateStudyException e = await Assert.ThrowsAsync<DuplicateStudyException>(() => storage.CreateStudyAsync(Definition("taken"), CancellationToken.None).AsTask());

        Assert.Contains("'taken'", e.Message, StringComparison.Ordinal);
        Assert.Single(await storage.GetStudiesAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task CreateStudyAsync_BlankName_ThrowsArgumentException(string name)
    {
        await using IStudyStorage storage = CreateStorage();

        await Assert.ThrowsAsync<ArgumentException>(() => storage.CreateStudyAsync(Definition(name), CancellationToken.None).AsTask());

        Assert.Empty(await storage.GetStudiesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreateStudyAsync_NonPositiveBudgetOrLease_ThrowsArgumentException()
    {
        await using IStudyStorage storage = CreateStorage();

        ArgumentException budget = await Assert.ThrowsAsync<ArgumentException>(() => storage.CreateStudyAsync(Definition(budget: 0), CancellationToken.None).AsTask());
        ArgumentException lease = await Assert.ThrowsAsync<ArgumentException>(() => storage.CreateStudyAsync(Definition(lease: TimeSpan.Zero), CancellationToken.None).AsTask());

        Assert.Contains("budget", budget.Message, StringComparison.Ordinal);
        Assert.Contains("lease", lease.Message, StringComparison.Ordinal);
        Assert.Empty(await storage.GetStudiesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetStudyAsync_ByNameAndById_ReturnsTheStudyOrNull()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord a = await storage.CreateStudyAsync(Definition("a"), CancellationToken.None);
        StudyRecord b = await storage.CreateStudyAsync(Definition("b"), CancellationToken.None);

        StudyRecord? byName = await storage.GetStudyAsync("b", CancellationToken.None);
        StudyRecord? byId = await storage.GetStudyAsync(a.Id, CancellationToken.None);

        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(b.Id, byName?.Id);
        Assert.Equal("a", byId?.Name);
        Assert.Null(await storage.GetStudyAsync("missing", CancellationToken.None));
        Assert.Null(await storage.GetStudyAsync(b.Id + 1000, CancellationToken.None));
    }

    [Fact]
    public async Task GetStudiesAsync_SeveralStudies_ReturnsThemInCreationOrder()
    {
        await using IStudyStorage storage = CreateStorage();
        foreach (string name in new[] { "zeta", "alpha", "mu" })
        {
            await storage.CreateStudyAsync(Definition(name), CancellationToken.None);
        }

        IReadOnlyList<StudyRecord> studies = await storage.GetStudiesAsync(CancellationToken.None);

        Assert.Equal(["zeta", "alpha", "mu"], studies.Select(s => s.Name));
    }

    [Fact]
    public async Task DeleteStudyAsync_ExistingStudy_RemovesItAndItsTrials()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord doomed = await storage.CreateStudyAsync(Definition("doomed"), CancellationToken.None);
        StudyRecord kept = await storage.CreateStudyAsync(Definition("kept"), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, doomed.Id);
        await storage.ReportIntermediateValueAsync(t.Id, 1, 0.5, CancellationToken.None);
        await storage.EnqueueTrialAsync(doomed.Id, Params(1), CancellationToken.None);
        await StartAsync(storage, kept.Id);

        bool deleted = await storage.DeleteStudyAsync("doomed", CancellationToken.None);

        Assert.True(deleted);
        Assert.Null(await storage.GetStudyAsync("doomed", CancellationToken.None));
        Assert.Equal(["kept"], (await storage.GetStudiesAsync(CancellationToken.None)).Select(s => s.Name));
        Assert.Single(await storage.GetTrialsAsync(kept.Id, CancellationToken.None));
        Assert.False(await storage.DeleteStudyAsync("doomed", CancellationToken.None));

        // The name is free again, and the new study's numbering starts afresh.
        StudyRecord again = await storage.CreateStudyAsync(Definition("doomed"), CancellationToken.None);
        Assert.Equal(0, (await StartAsync(storage, again.Id)).Number);
        Assert.Single(await storage.GetTrialsAsync(again.Id, CancellationToken.None));
    }

    [Fact]
    public async Task CreateStudyAsync_FullDefinition_RoundTripsThroughGetStudy()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyDefinition definition = RichDefinition();

        await storage.CreateStudyAsync(definition, CancellationToken.None);
        StudyRecord? byName = await storage.GetStudyAsync(definition.Name, CancellationToken.None);
        StudyRecord? listed = (await storage.GetStudiesAsync(CancellationToken.None)).Single();

        Assert.NotNull(byName);
        AssertSameDefinition(definition, byName.Definition);
        AssertSameDefinition(definition, listed.Definition);
        AssertSameDefinition(definition, (await storage.GetStudyAsync(byName.Id, CancellationToken.None))!.Definition);
    }

    protected static StudyDefinition RichDefinition(string name = "rich") => new()
    {
        Name = name,
        SearchSpace = SearchSpace.CreateBuilder()
            .AddFloat("lr", 1e-5, 1e-1, log: true)
            .AddFloat("dropout", 0, 0.5, step: 0.05)
            .AddInt("layers", 1, 8)
            .AddInt("batch", 16, 512, log: true)
            .AddCategorical("optimizer", "adam", "sgd")
            .AddFloat("momentum", 0.5, 0.99, condition: ParameterCondition.When("optimizer", "sgd"))
            .AddCategorical("flag", true, false)
            .Build(),
        Directions = [StudyDirection.Maximize],
        TunerName = "custom-tuner",
        TunerSettings = """{"population":12,"mutation":0.25}""",
        PrunerName = "custom-pruner",
        PrunerSettings = """{"patience":3,"delta":0.5}""",
        Seed = -123456789,
        Budget = 77,
        Lease = TimeSpan.FromMilliseconds(12_345),
        MaxRetries = 3,
        RetryOn = RetryOn.Exception | RetryOn.Timeout,
    };

    protected static void AssertSameDefinition(StudyDefinition expected, StudyDefinition actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.SearchSpace, actual.SearchSpace);
        Assert.Equal(expected.SearchSpace.ToJson(), actual.SearchSpace.ToJson());
        Assert.Equal(expected.Directions, actual.Directions);
        Assert.Equal(expected.TunerName, actual.TunerName);
        Assert.Equal(
            System.Text.Json.JsonDocument.Parse(expected.TunerSettings).RootElement.ToString(),
            System.Text.Json.JsonDocument.Parse(actual.TunerSettings).RootElement.ToString());
        Assert.Equal(expected.PrunerName, actual.PrunerName);
        Assert.Equal(
            System.Text.Json.JsonDocument.Parse(expected.PrunerSettings).RootElement.ToString(),
            System.Text.Json.JsonDocument.Parse(actual.PrunerSettings).RootElement.ToString());
        Assert.Equal(expected.Seed, actual.Seed);
        Assert.Equal(expected.Budget, actual.Budget);
        Assert.Equal(expected.Lease, actual.Lease);
        Assert.Equal(expected.MaxRetries, actual.MaxRetries);
        Assert.Equal(expected.RetryOn, actual.RetryOn);
    }

    // ---------------------------------------------------------------- starting and enqueuing

    [Fact]
    public async Task StartTrialAsync_EmptyStudy_CreatesRunningTrialWithoutParameters()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);

        TrialRecord? t = await storage.StartTrialAsync(study.Id, "worker-a", CancellationToken.None);

        Assert.NotNull(t);
        Assert.Equal(0, t.Number);
        Assert.Equal(TrialState.Running, t.State);
        Assert.Empty(t.Parameters);
        Assert.Equal("worker-a", t.Owner);
        Assert.Equal(Epoch, t.StartedAt);
        Assert.Equal(Epoch, t.Heartbeat);
        Assert.Null(t.FinishedAt);
        AssertSameTrial(t, await GetTrialAsync(storage, study.Id, 0));
    }

    [Fact]
    public async Task EnqueueTrialAsync_Parameters_AddsWaitingTrialWithThem()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);

        TrialRecord waiting = await storage.EnqueueTrialAsync(study.Id, Params(2.5, 7, "b"), CancellationToken.None);

        Assert.Equal(0, waiting.Number);
        Assert.Equal(TrialState.Waiting, waiting.State);
        Assert.Null(waiting.Owner);
        Assert.Null(waiting.StartedAt);
        AssertParameters(Params(2.5, 7, "b"), waiting.Parameters);
        AssertSameTrial(waiting, await GetTrialAsync(storage, study.Id, 0));
        Assert.Equal(new TrialCounts(1, 0, 0, 0, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task StartTrialAsync_WaitingTrials_ClaimsThemInOrderBeforeNewOnes()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord first = await StartAsync(storage, study.Id);
        for (int i = 1; i <= 3; i++)
        {
            await storage.EnqueueTrialAsync(study.Id, Params(i), CancellationToken.None);
        }

        var started = new List<TrialRecord>();
        for (int i = 0; i < 4; i++)
        {
            started.Add(await StartAsync(storage, study.Id, $"w{i}"));
        }

        Assert.Equal(0, first.Number);
        Assert.Equal([1, 2, 3, 4], started.Select(t => t.Number));
        Assert.All(started, t => Assert.Equal(TrialState.Running, t.State));
        Assert.Equal([1.0, 2.0, 3.0], started.Take(3).Select(t => (double)t.Parameters["x"]));
        Assert.Equal(["w0", "w1", "w2"], started.Take(3).Select(t => t.Owner));
        Assert.All(started.Take(3), t => Assert.NotNull(t.StartedAt));
        Assert.Empty(started[3].Parameters);
        Assert.Equal(new TrialCounts(0, 5, 0, 0, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task StartTrialAsync_BudgetFilledByFinishedAndRunning_ReturnsNull()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(budget: 3), CancellationToken.None);
        TrialRecord t0 = await StartAsync(storage, study.Id);
        await StartAsync(storage, study.Id);
        await storage.FinishTrialAsync(t0.Id, new TrialFinish(TrialState.Complete, [1.0]), CancellationToken.None);
        await StartAsync(storage, study.Id);

        TrialRecord? fourth = await storage.StartTrialAsync(study.Id, "worker-a", CancellationToken.None);
        TrialRecord? other = await storage.StartTrialAsync(study.Id, "worker-b", CancellationToken.None);

        Assert.Null(fourth);
        Assert.Null(other);
        Assert.Equal(3, (await storage.GetTrialsAsync(study.Id, CancellationToken.None)).Count);
        Assert.Equal(new TrialCounts(0, 2, 1, 0, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task StartTrialAsync_BudgetFull_LeavesWaitingTrialsWaiting()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(budget: 2), CancellationToken.None);
        for (int i = 0; i < 3; i++)
        {
            await storage.EnqueueTrialAsync(study.Id, Params(i), CancellationToken.None);
        }

        TrialRecord a = await StartAsync(storage, study.Id);
        TrialRecord b = await StartAsync(storage, study.Id);
        TrialRecord? c = await storage.StartTrialAsync(study.Id, "worker-a", CancellationToken.None);

        Assert.Equal([0, 1], new[] { a.Number, b.Number });
        Assert.Null(c);
        Assert.Equal(TrialState.Waiting, (await GetTrialAsync(storage, study.Id, 2)).State);
        Assert.Equal(new TrialCounts(1, 2, 0, 0, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task StartTrialAsync_FailedTrialsCountTowardsBudget_ReturnsNullWhenSpent()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(budget: 2), CancellationToken.None);
        TrialRecord a = await StartAsync(storage, study.Id);
        TrialRecord b = await StartAsync(storage, study.Id);
        await storage.FinishTrialAsync(a.Id, new TrialFinish(TrialState.Failed, [], "boom"), CancellationToken.None);
        await storage.FinishTrialAsync(b.Id, new TrialFinish(TrialState.Pruned, []), CancellationToken.None);

        Assert.Null(await storage.StartTrialAsync(study.Id, "worker-a", CancellationToken.None));
    }

    [Fact]
    public async Task SetTrialParametersAsync_NewTrial_SetsThemOnce()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        TrialRecord updated = await storage.SetTrialParametersAsync(t.Id, Params(-1.25, 3, "b"), CancellationToken.None);
        InvalidOperationException again = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.SetTrialParametersAsync(t.Id, Params(4), CancellationToken.None).AsTask());

        Assert.Equal(TrialState.Running, updated.State);
        AssertParameters(Params(-1.25, 3, "b"), updated.Parameters);
        AssertParameters(Params(-1.25, 3, "b"), (await GetTrialAsync(storage, study.Id, 0)).Parameters);
        Assert.Contains("already has parameters", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetTrialParametersAsync_ClaimedWaitingTrial_ThrowsInvalidOperationException()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        await storage.EnqueueTrialAsync(study.Id, Params(1), CancellationToken.None);
        TrialRecord claimed = await StartAsync(storage, study.Id);

        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.SetTrialParametersAsync(claimed.Id, Params(2), CancellationToken.None).AsTask());

        Assert.Equal(1.0, (double)(await GetTrialAsync(storage, study.Id, 0)).Parameters["x"]);
    }

    [Fact]
    public async Task ReportIntermediateValueAsync_SameStepTwice_KeepsTheLaterValue()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        await storage.ReportIntermediateValueAsync(t.Id, 5, 0.9, CancellationToken.None);
        await storage.ReportIntermediateValueAsync(t.Id, 1, 0.1, CancellationToken.None);
        await storage.ReportIntermediateValueAsync(t.Id, 5, 0.4, CancellationToken.None);
        await storage.ReportIntermediateValueAsync(t.Id, 3, double.NaN, CancellationToken.None);
        await storage.ReportIntermediateValueAsync(t.Id, -2, -7.5, CancellationToken.None);

        TrialRecord stored = await GetTrialAsync(storage, study.Id, 0);
        Assert.Equal([-2L, 1L, 3L, 5L], stored.IntermediateValues.Keys);
        Assert.Equal(0.4, stored.IntermediateValues[5]);
        Assert.Equal(0.1, stored.IntermediateValues[1]);
        Assert.True(double.IsNaN(stored.IntermediateValues[3]));
        Assert.Equal(-7.5, stored.IntermediateValues[-2]);
        Assert.Equal(stored.IntermediateValues, (await storage.GetTrialsAsync(study.Id, CancellationToken.None))[0].IntermediateValues);
    }

    [Fact]
    public async Task SetTrialAttributesAsync_UserAndSystem_AreKeptApartAndOverwritten()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        await storage.SetTrialUserAttributeAsync(t.Id, "note", "first", CancellationToken.None);
        await storage.SetTrialUserAttributeAsync(t.Id, "note", "second", CancellationToken.None);
        await storage.SetTrialUserAttributeAsync(t.Id, "quote\"d ü", "line\nbreak", CancellationToken.None);
        await storage.SetTrialSystemAttributeAsync(t.Id, "note", "system", CancellationToken.None);
        await storage.SetTrialSystemAttributeAsync(t.Id, "generation", "3", CancellationToken.None);

        TrialRecord stored = await GetTrialAsync(storage, study.Id, 0);
        Assert.Equal(2, stored.UserAttributes.Count);
        Assert.Equal("second", stored.UserAttributes["note"]);
        Assert.Equal("line\nbreak", stored.UserAttributes["quote\"d ü"]);
        Assert.Equal(2, stored.SystemAttributes.Count);
        Assert.Equal("system", stored.SystemAttributes["note"]);
        Assert.Equal("3", stored.SystemAttributes["generation"]);
    }

    [Fact]
    public async Task SetTrialUserAttributeAsync_EmptyKey_ThrowsArgumentException()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        await Assert.ThrowsAsync<ArgumentException>(() => storage.SetTrialUserAttributeAsync(t.Id, string.Empty, "v", CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => storage.SetTrialSystemAttributeAsync(t.Id, string.Empty, "v", CancellationToken.None).AsTask());

        Assert.Empty((await GetTrialAsync(storage, study.Id, 0)).UserAttributes);
    }

    // ---------------------------------------------------------------- finishing

    [Fact]
    public async Task FinishTrialAsync_Complete_RecordsValuesAndTimes()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);
        await storage.SetTrialParametersAsync(t.Id, Params(0.5), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(3));

        TrialRecord done = await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [0.125]), CancellationToken.None);

        Assert.Equal(TrialState.Complete, done.State);
        Assert.Equal([0.125], done.Values);
        Assert.Equal(0.125, done.Value);
        Assert.Equal(Epoch, done.StartedAt);
        Assert.Equal(Epoch.AddSeconds(3), done.FinishedAt);
        Assert.Equal(TimeSpan.FromSeconds(3), done.Duration);
        Assert.Null(done.FailReason);
        AssertSameTrial(done, await GetTrialAsync(storage, study.Id, 0));
        Assert.Equal(new TrialCounts(0, 0, 1, 0, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FinishTrialAsync_Pruned_RecordsStateAndOptionalValue(bool withValue)
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);
        double[] values = withValue ? [2.75] : [];

        TrialRecord done = await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Pruned, values), CancellationToken.None);

        Assert.Equal(TrialState.Pruned, done.State);
        Assert.Equal(values, done.Values);
        AssertSameTrial(done, await GetTrialAsync(storage, study.Id, 0));
        Assert.Equal(new TrialCounts(0, 0, 0, 1, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task FinishTrialAsync_Failed_RecordsReasonAndExceptionType()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        TrialRecord done = await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Failed, [], "Out of memory", "System.OutOfMemoryException"), CancellationToken.None);

        Assert.Equal(TrialState.Failed, done.State);
        Assert.Equal("Out of memory", done.FailReason);
        Assert.Equal("System.OutOfMemoryException", done.ExceptionType);
        Assert.Empty(done.Values);
        AssertSameTrial(done, await GetTrialAsync(storage, study.Id, 0));
        Assert.Equal(new TrialCounts(0, 0, 0, 0, 1), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task FinishTrialAsync_WaitingTrial_FinishesItAndItIsNotClaimedLater()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord waiting = await storage.EnqueueTrialAsync(study.Id, Params(1), CancellationToken.None);
        await storage.EnqueueTrialAsync(study.Id, Params(2), CancellationToken.None);

        TrialRecord done = await storage.FinishTrialAsync(waiting.Id, new TrialFinish(TrialState.Failed, [], "skipped"), CancellationToken.None);
        TrialRecord next = await StartAsync(storage, study.Id);

        Assert.Equal(TrialState.Failed, done.State);
        Assert.Equal(1, next.Number);
        Assert.Equal(2.0, (double)next.Parameters["x"]);
        Assert.Equal(2, (await StartAsync(storage, study.Id)).Number);
        Assert.Equal(new TrialCounts(0, 2, 0, 0, 1), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task FinishTrialAsync_CompleteWithWrongValueCount_ThrowsAndKeepsTrialRunning(int count)
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, Enumerable.Repeat(1.0, count).ToArray()), CancellationToken.None).AsTask());

        Assert.Contains("1 value(s)", e.Message, StringComparison.Ordinal);
        Assert.Equal(TrialState.Running, (await GetTrialAsync(storage, study.Id, 0)).State);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public async Task FinishTrialAsync_CompleteWithNonFiniteValue_ThrowsAndKeepsTrialRunning(double value)
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [value]), CancellationToken.None).AsTask());

        Assert.Contains("finite", e.Message, StringComparison.Ordinal);
        Assert.Equal(TrialState.Running, (await GetTrialAsync(storage, study.Id, 0)).State);
        Assert.Equal(new TrialCounts(0, 1, 0, 0, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData(TrialState.Running)]
    [InlineData(TrialState.Waiting)]
    public async Task FinishTrialAsync_UnfinishedState_ThrowsArgumentException(TrialState state)
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);

        await Assert.ThrowsAsync<ArgumentException>(() => storage.FinishTrialAsync(t.Id, new TrialFinish(state, []), CancellationToken.None).AsTask());

        Assert.Equal(TrialState.Running, (await GetTrialAsync(storage, study.Id, 0)).State);
    }

    public static TheoryData<TrialState, string> FinishedStatesAndWrites()
    {
        var data = new TheoryData<TrialState, string>();
        foreach (TrialState state in new[] { TrialState.Complete, TrialState.Pruned, TrialState.Failed })
        {
            foreach (string write in Writes)
            {
                data.Add(state, write);
            }
        }

        return data;
    }

    protected static readonly string[] Writes = ["parameters", "report", "user-attribute", "system-attribute", "finish-complete", "finish-failed"];

    protected static async Task WriteAsync(IStudyStorage storage, long trialId, string write, double value)
    {
        switch (write)
        {
            case "parameters":
                await storage.SetTrialParametersAsync(trialId, Params(Math.Clamp(value, -5, 5)), CancellationToken.None);
                break;
            case "report":
                await storage.ReportIntermediateValueAsync(trialId, (long)Math.Abs(value) % 10, value, CancellationToken.None);
                break;
            case "user-attribute":
                await storage.SetTrialUserAttributeAsync(trialId, "k", value.ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
                break;
            case "system-attribute":
                await storage.SetTrialSystemAttributeAsync(trialId, "k", value.ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
                break;
            case "finish-complete":
                await storage.FinishTrialAsync(trialId, new TrialFinish(TrialState.Complete, [value]), CancellationToken.None);
                break;
            case "finish-failed":
                await storage.FinishTrialAsync(trialId, new TrialFinish(TrialState.Failed, [], "again"), CancellationToken.None);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(write), write, null);
        }
    }

    protected static TrialFinish FinishOf(TrialState state) => state switch
    {
        TrialState.Complete => new TrialFinish(TrialState.Complete, [1.5]),
        TrialState.Pruned => new TrialFinish(TrialState.Pruned, [0.5]),
        _ => new TrialFinish(TrialState.Failed, [], "broken", "System.Exception"),
    };

    [Theory]
    [MemberData(nameof(FinishedStatesAndWrites))]
    public async Task FinishedTrial_AnyWrite_ThrowsTrialAlreadyFinishedAndLeavesRecordUnchanged(TrialState state, string write)
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id);
        await storage.ReportIntermediateValueAsync(t.Id, 1, 0.25, CancellationToken.None);
        await storage.SetTrialUserAttributeAsync(t.Id, "k", "v", CancellationToken.None);
        TrialRecord done = await storage.FinishTrialAsync(t.Id, FinishOf(state), CancellationToken.None);
        TrialRecord before = await GetTrialAsync(storage, study.Id, 0);
        long version = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;

        TrialAlreadyFinishedException e = await Assert.ThrowsAsync<TrialAlreadyFinishedException>(() => WriteAsync(storage, t.Id, write, 3.0));

        Assert.Contains("Trial 0", e.Message, StringComparison.Ordinal);
        AssertSameTrial(done, before);
        AssertSameTrial(before, await GetTrialAsync(storage, study.Id, 0));
        Assert.Equal(version, (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version);
        Assert.Equal(TrialCounts(state), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    private static TrialCounts TrialCounts(TrialState finished) => default(TrialCounts).Add(finished);

    [Fact]
    public async Task FailAbandonedTrialAsync_FinishedTrial_ReturnsNullAndLeavesItUnchanged()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id, "owner");
        TrialRecord done = await storage.FinishTrialAsync(t.Id, FinishOf(TrialState.Complete), CancellationToken.None);

        TrialRecord? failed = await storage.FailAbandonedTrialAsync(t.Id, "owner", "gone", CancellationToken.None);

        Assert.Null(failed);
        AssertSameTrial(done, await GetTrialAsync(storage, study.Id, 0));
    }

    // ---------------------------------------------------------------- concurrency

    [Fact]
    public async Task StartTrialAsync_ManyConcurrentCallers_NumbersAreDenseAndUnique()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        const int Tasks = 8, Starts = 50;

        TrialRecord[][] started = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(w => Task.Run(async () =>
        {
            var mine = new List<TrialRecord>();
            for (int i = 0; i < Starts; i++)
            {
                mine.Add(await StartAsync(storage, study.Id, $"w{w}"));
            }

            return mine.ToArray();
        })));

        TrialRecord[] all = started.SelectMany(s => s).ToArray();
        Assert.Equal(Enumerable.Range(0, Tasks * Starts), all.Select(t => t.Number).Order());
        Assert.Equal(Tasks * Starts, all.Select(t => t.Id).Distinct().Count());
        IReadOnlyList<TrialRecord> stored = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, Tasks * Starts), stored.Select(t => t.Number));
        Assert.Equal(Tasks * Starts, (await storage.GetTrialCountsAsync(study.Id, CancellationToken.None)).Running);
    }

    [Fact]
    public async Task StartTrialAsync_ConcurrentWorkersWithBudget_FinishExactlyTheBudget()
    {
        await using IStudyStorage storage = CreateStorage();
        const int Budget = 37;
        StudyRecord study = await storage.CreateStudyAsync(Definition(budget: Budget), CancellationToken.None);
        for (int i = 0; i < 5; i++)
        {
            await storage.EnqueueTrialAsync(study.Id, Params(i), CancellationToken.None);
        }

        int[] finishedPerWorker = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => RunWorkerAsync(storage, study.Id, $"w{w}"))));

        Assert.Equal(Budget, finishedPerWorker.Sum());
        IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, Budget), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(new TrialCounts(0, 0, Budget, 0, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    protected static async Task<int> RunWorkerAsync(IStudyStorage storage, long studyId, string owner)
    {
        int finished = 0;
        while (await storage.StartTrialAsync(studyId, owner, CancellationToken.None) is { } t)
        {
            if (t.Parameters.Count == 0)
            {
                await storage.SetTrialParametersAsync(t.Id, Params(t.Number % 10 / 2.0), CancellationToken.None);
            }

            await storage.ReportIntermediateValueAsync(t.Id, 0, t.Number, CancellationToken.None);
            await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [t.Number]), CancellationToken.None);
            finished++;
        }

        return finished;
    }

    // ---------------------------------------------------------------- versions

    [Fact]
    public async Task GetTrialsAsync_SinceVersion_ReturnsExactlyTheChangedTrials()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        var ids = new List<long>();
        for (int i = 0; i < 6; i++)
        {
            ids.Add((await StartAsync(storage, study.Id)).Id);
        }

        long v0 = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;
        await storage.ReportIntermediateValueAsync(ids[4], 1, 0.5, CancellationToken.None);
        await storage.FinishTrialAsync(ids[1], new TrialFinish(TrialState.Complete, [3.0]), CancellationToken.None);
        await storage.ReportIntermediateValueAsync(ids[4], 2, 0.25, CancellationToken.None);

        TrialChanges changes = await storage.GetTrialsAsync(study.Id, v0, CancellationToken.None);
        TrialChanges none = await storage.GetTrialsAsync(study.Id, changes.Version, CancellationToken.None);
        await storage.SetTrialUserAttributeAsync(ids[0], "k", "v", CancellationToken.None);
        TrialChanges later = await storage.GetTrialsAsync(study.Id, changes.Version, CancellationToken.None);

        Assert.True(changes.Version > v0);
        Assert.Equal([1, 4], changes.Trials.Select(t => t.Number));
        Assert.Equal(TrialState.Complete, changes.Trials[0].State);
        Assert.Equal(2, changes.Trials[1].IntermediateValues.Count);
        Assert.Empty(none.Trials);
        Assert.Equal(changes.Version, none.Version);
        Assert.Equal([0], later.Trials.Select(t => t.Number));
        Assert.Equal("v", later.Trials[0].UserAttributes["k"]);
        Assert.True(later.Version > changes.Version);
    }

    [Fact]
    public async Task GetTrialsAsync_EveryKindOfWrite_AdvancesTheVersion()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        long version = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;
        TrialRecord running = default!;
        TrialRecord other = default!;
        TrialRecord orphan = default!;

        var writes = new (string Name, int Number, Func<Task> Write)[]
        {
            ("enqueue", 0, () => storage.EnqueueTrialAsync(study.Id, Params(1), CancellationToken.None).AsTask()),
            ("claim", 0, async () => running = await StartAsync(storage, study.Id, "a")),
            ("start", 1, async () => other = await StartAsync(storage, study.Id, "b")),
            ("parameters", 1, () => storage.SetTrialParametersAsync(other.Id, Params(2), CancellationToken.None).AsTask()),
            ("report", 0, () => storage.ReportIntermediateValueAsync(running.Id, 1, 1.0, CancellationToken.None).AsTask()),
            ("user", 0, () => storage.SetTrialUserAttributeAsync(running.Id, "k", "v", CancellationToken.None).AsTask()),
            ("system", 1, () => storage.SetTrialSystemAttributeAsync(other.Id, "k", "v", CancellationToken.None).AsTask()),
            ("finish", 0, () => storage.FinishTrialAsync(running.Id, new TrialFinish(TrialState.Complete, [1.0]), CancellationToken.None).AsTask()),
            ("abandon", 1, () => storage.FailAbandonedTrialAsync(other.Id, "b", "gone", CancellationToken.None).AsTask()),
            ("start-orphan", 2, async () => orphan = await StartAsync(storage, study.Id, "c")),
            ("orphaned", 2, async () =>
            {
                clock.Advance(TestLease + TimeSpan.FromSeconds(1));
                Assert.Single(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None));
            }),
        };

        foreach ((string name, int number, Func<Task> write) in writes)
        {
            await write();
            TrialChanges changes = await storage.GetTrialsAsync(study.Id, version, CancellationToken.None);
            Assert.True(changes.Version > version, $"'{name}' did not advance the version.");
            Assert.Equal([number], changes.Trials.Select(t => t.Number));
            version = changes.Version;
        }
    }

    [Fact]
    public async Task GetTrialsAsync_FromZero_ReturnsEveryTrialByNumber()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        await StartAsync(storage, study.Id);
        await storage.EnqueueTrialAsync(study.Id, Params(1), CancellationToken.None);
        await StartAsync(storage, study.Id);
        await StartAsync(storage, study.Id);

        TrialChanges all = await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None);

        Assert.Equal([0, 1, 2], all.Trials.Select(t => t.Number));
        Assert.Equal([0, 1, 2], (await storage.GetTrialsAsync(study.Id, CancellationToken.None)).Select(t => t.Number));
        Assert.True(all.Version > 0);
        Assert.Null(await storage.GetTrialAsync(study.Id, 3, CancellationToken.None));
        Assert.Null(await storage.GetTrialAsync(study.Id, -1, CancellationToken.None));
    }

    // ---------------------------------------------------------------- counts and best

    [Fact]
    public async Task GetTrialCountsAsync_MixedStates_CountsEachState()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialState[] finishes = [TrialState.Complete, TrialState.Complete, TrialState.Pruned, TrialState.Failed, TrialState.Failed, TrialState.Failed];
        foreach (TrialState state in finishes)
        {
            TrialRecord t = await StartAsync(storage, study.Id);
            await storage.FinishTrialAsync(t.Id, FinishOf(state), CancellationToken.None);
        }

        await StartAsync(storage, study.Id);
        await storage.EnqueueTrialAsync(study.Id, Params(0), CancellationToken.None);
        await storage.EnqueueTrialAsync(study.Id, Params(1), CancellationToken.None);

        TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, CancellationToken.None);

        Assert.Equal(new TrialCounts(Waiting: 2, Running: 1, Complete: 2, Pruned: 1, Failed: 3), counts);
        Assert.Equal(6, counts.Finished);
        Assert.Equal(9, counts.Total);
    }

    [Theory]
    [InlineData(StudyDirection.Minimize, 2)]
    [InlineData(StudyDirection.Maximize, 1)]
    public async Task GetBestTrialAsync_CompleteTrials_ReturnsBestInDirectionWithTiesToLowerNumber(StudyDirection direction, int expected)
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(direction: direction), CancellationToken.None);
        Assert.Null(await storage.GetBestTrialAsync(study.Id, CancellationToken.None));

        // Numbers:           0     1     2     3     4      5 (pruned) 6 (failed) 7 (running)
        double[] values = [3.0, 9.0, -1.0, 9.0, -1.0];
        foreach (double v in values)
        {
            TrialRecord t = await StartAsync(storage, study.Id);
            await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [v]), CancellationToken.None);
        }

        TrialRecord pruned = await StartAsync(storage, study.Id);
        await storage.FinishTrialAsync(pruned.Id, new TrialFinish(TrialState.Pruned, [direction == StudyDirection.Minimize ? -100.0 : 100.0]), CancellationToken.None);
        TrialRecord failed = await StartAsync(storage, study.Id);
        await storage.FinishTrialAsync(failed.Id, new TrialFinish(TrialState.Failed, [], "x"), CancellationToken.None);
        await StartAsync(storage, study.Id);

        TrialRecord? best = await storage.GetBestTrialAsync(study.Id, CancellationToken.None);

        Assert.NotNull(best);
        Assert.Equal(expected, best.Number);
        Assert.Equal(TrialState.Complete, best.State);
    }

    [Fact]
    public async Task GetBestTrialAsync_OnlyPrunedAndFailedTrials_ReturnsNull()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord a = await StartAsync(storage, study.Id);
        TrialRecord b = await StartAsync(storage, study.Id);
        await storage.FinishTrialAsync(a.Id, new TrialFinish(TrialState.Pruned, [0.1]), CancellationToken.None);
        await storage.FinishTrialAsync(b.Id, new TrialFinish(TrialState.Failed, [], "x"), CancellationToken.None);

        Assert.Null(await storage.GetBestTrialAsync(study.Id, CancellationToken.None));
    }

    // ---------------------------------------------------------------- leases

    [Fact]
    public async Task StartTrialAsync_HeartbeatOlderThanLease_MarksTheTrialStaleWithAReason()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(budget: 2), CancellationToken.None);
        TrialRecord lost = await StartAsync(storage, study.Id, "dead-worker");
        clock.Advance(TestLease + TimeSpan.FromSeconds(1));

        TrialRecord next = await StartAsync(storage, study.Id, "live-worker");

        TrialRecord stale = await GetTrialAsync(storage, study.Id, lost.Number);
        Assert.Equal(1, next.Number);
        Assert.Equal(TrialState.Stale, stale.State);
        Assert.True(stale.IsFinished);
        Assert.NotNull(stale.FailReason);
        Assert.Contains("Stale", stale.FailReason, StringComparison.Ordinal);
        Assert.Contains("dead-worker", stale.FailReason, StringComparison.Ordinal);
        Assert.Equal(clock.GetUtcNow(), stale.FinishedAt);
        Assert.Equal(new TrialCounts(0, 1, 0, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));

        // A stale trial does not count towards the budget: one more trial starts, then the budget is full.
        Assert.Equal(2, (await StartAsync(storage, study.Id, "live-worker")).Number);
        Assert.Null(await storage.StartTrialAsync(study.Id, "live-worker", CancellationToken.None));
    }

    [Fact]
    public async Task FailOrphanedTrialsAsync_OnlyTrialsPastTheirLease_BecomeStale()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord old = await StartAsync(storage, study.Id, "a");
        clock.Advance(TimeSpan.FromSeconds(6));
        TrialRecord young = await StartAsync(storage, study.Id, "b");
        clock.Advance(TimeSpan.FromSeconds(3));

        IReadOnlyList<TrialRecord> none = await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2)); // old: 11 s, young: 5 s
        IReadOnlyList<TrialRecord> failed = await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None);
        IReadOnlyList<TrialRecord> again = await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None);

        Assert.Empty(none);
        TrialRecord orphan = Assert.Single(failed);
        Assert.Equal(old.Number, orphan.Number);
        Assert.Equal(TrialState.Stale, orphan.State);
        Assert.Contains("Stale", orphan.FailReason, StringComparison.Ordinal);
        Assert.Empty(again);
        AssertSameTrial(orphan, await GetTrialAsync(storage, study.Id, old.Number));
        Assert.Equal(TrialState.Running, (await GetTrialAsync(storage, study.Id, young.Number)).State);
    }

    [Fact]
    public async Task RenewHeartbeatsAsync_OwnerRenewsInTime_KeepsItsTrialsAlive()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord mine1 = await StartAsync(storage, study.Id, "me");
        TrialRecord mine2 = await StartAsync(storage, study.Id, "me");
        TrialRecord theirs = await StartAsync(storage, study.Id, "them");
        TrialRecord mineDone = await StartAsync(storage, study.Id, "me");
        await storage.FinishTrialAsync(mineDone.Id, FinishOf(TrialState.Complete), CancellationToken.None);

        int renewed = 0;
        for (int i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(7));
            renewed = await storage.RenewHeartbeatsAsync(study.Id, "me", CancellationToken.None);
            Assert.DoesNotContain(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None), t => t.Owner == "me");
        }

        Assert.Equal(2, renewed);
        Assert.Equal(0, await storage.RenewHeartbeatsAsync(study.Id, "nobody", CancellationToken.None));
        Assert.Equal(TrialState.Running, (await GetTrialAsync(storage, study.Id, mine1.Number)).State);
        Assert.Equal(clock.GetUtcNow(), (await GetTrialAsync(storage, study.Id, mine2.Number)).Heartbeat);
        Assert.Equal(TrialState.Stale, (await GetTrialAsync(storage, study.Id, theirs.Number)).State);

        clock.Advance(TestLease + TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task FinishTrialAsync_StaleTrial_ThrowsTrialAlreadyFinishedWithTheReason()
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id, "slow");
        clock.Advance(TestLease + TimeSpan.FromSeconds(1));
        await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None);

        TrialAlreadyFinishedException e = await Assert.ThrowsAsync<TrialAlreadyFinishedException>(() => storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Complete, [1.0]), CancellationToken.None).AsTask());

        Assert.Contains("already stale", e.Message, StringComparison.Ordinal);
        Assert.Contains("stopped renewing", e.Message, StringComparison.Ordinal);
        Assert.Equal(TrialState.Stale, (await GetTrialAsync(storage, study.Id, 0)).State);
    }

    [Theory]
    [MemberData(nameof(WriteNames))]
    public async Task StaleTrial_AnyWrite_ThrowsTrialAlreadyFinishedAndLeavesRecordUnchanged(string write)
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id, "lost");
        await storage.ReportIntermediateValueAsync(t.Id, 1, 0.25, CancellationToken.None);
        clock.Advance(TestLease + TimeSpan.FromSeconds(1));
        TrialRecord stale = Assert.Single(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None));
        long version = (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version;

        await Assert.ThrowsAsync<TrialAlreadyFinishedException>(() => WriteAsync(storage, t.Id, write, 3.0));

        AssertSameTrial(stale, await GetTrialAsync(storage, study.Id, 0));
        Assert.Equal(version, (await storage.GetTrialsAsync(study.Id, 0, CancellationToken.None)).Version);
        Assert.Null(await storage.FailAbandonedTrialAsync(t.Id, "lost", "gone", CancellationToken.None));
        Assert.Empty(await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None));
    }

    public static TheoryData<string> WriteNames() => [.. Writes];

    [Fact]
    public async Task FailAbandonedTrialAsync_OwnerMatches_MarksTrialStaleWithReason()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = await StartAsync(storage, study.Id, "host:1:2:abc");

        TrialRecord? wrongOwner = await storage.FailAbandonedTrialAsync(t.Id, "host:1:2:def", "gone", CancellationToken.None);
        TrialRecord afterWrong = await GetTrialAsync(storage, study.Id, 0);
        TrialRecord? failed = await storage.FailAbandonedTrialAsync(t.Id, "host:1:2:abc", "Its process is gone.", CancellationToken.None);
        TrialRecord? twice = await storage.FailAbandonedTrialAsync(t.Id, "host:1:2:abc", "again", CancellationToken.None);

        Assert.Null(wrongOwner);
        Assert.Equal(TrialState.Running, afterWrong.State);
        Assert.NotNull(failed);
        Assert.Equal(TrialState.Stale, failed.State);
        Assert.Equal("Its process is gone.", failed.FailReason);
        Assert.Null(twice);
        AssertSameTrial(failed, await GetTrialAsync(storage, study.Id, 0));
        Assert.Equal(new TrialCounts(0, 0, 0, 0, 0) { Stale = 1 }, await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
    }

    [Fact]
    public async Task FailAbandonedTrialAsync_WaitingTrial_ReturnsNull()
    {
        await using IStudyStorage storage = CreateStorage();
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord waiting = await storage.EnqueueTrialAsync(study.Id, Params(0), CancellationToken.None);

        Assert.Null(await storage.FailAbandonedTrialAsync(waiting.Id, "anyone", "gone", CancellationToken.None));
        Assert.Equal(TrialState.Waiting, (await GetTrialAsync(storage, study.Id, 0)).State);
    }

    // ---------------------------------------------------------------- shared instances

    [Fact]
    public async Task StartTrialAsync_SeveralInstancesOnTheSameData_NumbersAreDenseAndBudgetHolds()
    {
        await using IStudyStorage first = CreateStorage();
        const int Budget = 120;
        StudyRecord study = await first.CreateStudyAsync(Definition(budget: Budget), CancellationToken.None);

        // Storages that live in one object only (in memory) share that object among the "instances".
        var opened = new List<IStudyStorage>();
        for (int i = 0; i < 3; i++)
        {
            if (OpenAnotherInstance(first) is { } another)
            {
                opened.Add(another);
            }
        }

        IStudyStorage[] instances = [first, .. opened.Count > 0 ? opened : [first, first, first]];
        try
        {
            int[] finished = await Task.WhenAll(instances.SelectMany((s, i) => Enumerable.Range(0, 2).Select(w => Task.Run(() => RunWorkerAsync(s, study.Id, $"i{i}w{w}")))));

            Assert.Equal(Budget, finished.Sum());
            foreach (IStudyStorage s in instances.Distinct())
            {
                IReadOnlyList<TrialRecord> trials = await s.GetTrialsAsync(study.Id, CancellationToken.None);
                Assert.Equal(Enumerable.Range(0, Budget), trials.Select(t => t.Number));
                Assert.All(trials, t => Assert.Equal((double)t.Number, t.Value));
                Assert.Equal(new TrialCounts(0, 0, Budget, 0, 0), await s.GetTrialCountsAsync(study.Id, CancellationToken.None));
            }
        }
        finally
        {
            foreach (IStudyStorage s in opened)
            {
                await s.DisposeAsync();
            }
        }
    }
}
