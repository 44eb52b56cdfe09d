using Hpo.Execution;
using Hpo.Objectives;
using Hpo.SearchSpaces;

namespace Hpo.Tests.Execution;

public sealed class TrialExecutorTests
{
    private static readonly FakeTrial Trial = new(new SearchSpaceBuilder().AddFloat("x", 0, 1).Build(), new Dictionary<string, object> { ["x"] = 0.5 });

    [Fact]
    public async Task AsObjective_Completed_ReturnsTheValue()
    {
        ObjectiveResult result = await new FixedExecutor(TrialOutcome.Completed(2.5)).AsObjective().EvaluateAsync(Trial, CancellationToken.None);

        Assert.Equal(ObjectiveResult.FromValue(2.5), result);
    }

    [Fact]
    public async Task AsObjective_Pruned_ReturnsPrunedWithTheLastValue()
    {
        ObjectiveResult result = await new FixedExecutor(TrialOutcome.Pruned(0.75)).AsObjective().EvaluateAsync(Trial, CancellationToken.None);

        Assert.True(result.IsPruned);
        Assert.Equal(0.75, result.Value);
    }

    [Fact]
    public async Task AsObjective_Failed_ThrowsTrialExecutionExceptionWithTheReason()
    {
        var cause = new InvalidOperationException("inner");

        TrialExecutionException e = await Assert.ThrowsAsync<TrialExecutionException>(
            async () => await new FixedExecutor(TrialOutcome.Failed("it broke", cause)).AsObjective().EvaluateAsync(Trial, CancellationToken.None));

        Assert.Equal("it broke", e.Message);
        Assert.Same(cause, e.InnerException);
    }

    [Fact]
    public async Task AsObjective_FailedAfterCancellation_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await new FixedExecutor(TrialOutcome.Failed("stopped")).AsObjective().EvaluateAsync(Trial, cts.Token));
    }

    [Fact]
    public void Failed_EmptyReason_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => TrialOutcome.Failed(" "));
    }

    private sealed class FixedExecutor(TrialOutcome outcome) : ITrialExecutor
    {
        public ValueTask<TrialOutcome> ExecuteAsync(TrialRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(outcome);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
