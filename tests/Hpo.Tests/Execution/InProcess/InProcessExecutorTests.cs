using Hpo.Execution;
using Hpo.Execution.InProcess;
using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tests.Execution.InProcess;

public sealed class InProcessExecutorTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();

    private static Task<TrialOutcome> RunAsync(Func<ITrial, CancellationToken, ValueTask<ObjectiveResult>> objective, CancellationToken cancellationToken = default) =>
        new InProcessExecutor(Objective.Create(objective)).ExecuteAsync(new TrialRequest(new FakeTrial(Space, new Dictionary<string, object> { ["x"] = 0.25 })), cancellationToken).AsTask();

    [Fact]
    public async Task ExecuteAsync_Value_Completed()
    {
        TrialOutcome outcome = await RunAsync((t, _) => ValueTask.FromResult<ObjectiveResult>(t.Get<double>("x") * 2));

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(0.5, outcome.Value);
    }

    [Fact]
    public async Task ExecuteAsync_PrunedResultOrException_Pruned()
    {
        Assert.Equal(TrialOutcomeKind.Pruned, (await RunAsync((_, _) => ValueTask.FromResult(ObjectiveResult.Pruned(1)))).Kind);
        Assert.Equal(TrialOutcomeKind.Pruned, (await RunAsync((_, _) => throw new TrialPrunedException())).Kind);
    }

    [Fact]
    public async Task ExecuteAsync_Throws_FailedWithTheException()
    {
        var error = new InvalidOperationException("diverged");

        TrialOutcome outcome = await RunAsync((_, _) => throw error);

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Same(error, outcome.Exception);
        Assert.Equal("InvalidOperationException: diverged", outcome.Reason);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledWhileRunning_FailedCancelled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        TrialOutcome outcome = await RunAsync(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return 0; }, cts.Token);

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.StartsWith("Cancelled", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AsObjective_ThroughAStudy_SameStatesAsTheObjectiveItself()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "in-process", Space);
        int calls = 0;
        await using var executor = new InProcessExecutor(Objective.Create(t => ++calls == 2 ? throw new InvalidOperationException("boom") : t.Get<double>("x")));

        await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 3 });

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal([TrialState.Complete, TrialState.Failed, TrialState.Complete], trials.Select(t => t.State));
        Assert.Equal("InvalidOperationException: boom", trials[1].FailReason);
        Assert.Equal(typeof(InvalidOperationException).FullName, trials[1].ExceptionType);
    }
}
