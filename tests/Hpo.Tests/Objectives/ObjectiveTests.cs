using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Tests.Objectives;

public class ObjectiveTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", -2, 2).Build();

    [Fact]
    public async Task Create_SynchronousDelegate_ReturnsItsValue()
    {
        IObjective objective = Objective.Create(trial => trial.Get<double>("x") * 2);

        ObjectiveResult result = await objective.EvaluateAsync(new FakeTrial(0.5), CancellationToken.None);

        Assert.Equal(1.0, result.Value);
        Assert.False(result.IsPruned);
    }

    [Fact]
    public async Task Create_TaskOfDoubleDelegate_AwaitsItAndPassesTheToken()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        IObjective objective = Objective.Create(async (ITrial trial, CancellationToken ct) =>
        {
            seen = ct;
            await Task.Yield();
            return trial.Get<double>("x") - 1;
        });

        ObjectiveResult result = await objective.EvaluateAsync(new FakeTrial(0.25), cts.Token);

        Assert.Equal(-0.75, result.Value);
        Assert.Equal(cts.Token, seen);
    }

    [Fact]
    public async Task Create_ResultDelegate_CanPrune()
    {
        IObjective objective = Objective.Create((ITrial trial, CancellationToken ct) => new ValueTask<ObjectiveResult>(ObjectiveResult.Pruned(3)));

        ObjectiveResult result = await objective.EvaluateAsync(new FakeTrial(0), CancellationToken.None);

        Assert.True(result.IsPruned);
        Assert.Equal(3, result.Value);
    }

    [Fact]
    public async Task Create_DelegateThatThrows_LetsTheExceptionThrough()
    {
        IObjective objective = Objective.Create(async (ITrial trial, CancellationToken ct) =>
        {
            await Task.Yield();
            return Diverge();
        });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await objective.EvaluateAsync(new FakeTrial(0), CancellationToken.None));
        Assert.Equal("diverged", e.Message);
    }

    [Fact]
    public async Task Create_CancelledToken_IsSeenByTheDelegate()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        IObjective objective = Objective.Create(async (ITrial trial, CancellationToken ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return 1.0;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await objective.EvaluateAsync(new FakeTrial(0), cts.Token));
    }

    [Fact]
    public void Create_NullDelegate_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Objective.Create((Func<ITrial, double>)null!));
        Assert.Throws<ArgumentNullException>(() => Objective.Create((Func<ITrial, CancellationToken, Task<double>>)null!));
        Assert.Throws<ArgumentNullException>(() => Objective.Create((Func<ITrial, CancellationToken, ValueTask<ObjectiveResult>>)null!));
    }

    private static double Diverge() => throw new InvalidOperationException("diverged");

    private sealed class FakeTrial(double x) : ITrial
    {
        public int Number => 0;

        public string StudyName => "fake";

        public SearchSpace SearchSpace => Space;

        public IReadOnlyDictionary<string, object> Parameters { get; } = new Dictionary<string, object> { ["x"] = x };

        public IReadOnlyDictionary<string, string> UserAttributes { get; } = new Dictionary<string, string>();

        public T Get<T>(string name) => ParameterConverter.Convert<T>(name, Parameters[name]);

        public ValueTask ReportAsync(long step, double value, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask<bool> ShouldPruneAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(false);

        public ValueTask SetUserAttributeAsync(string key, string value, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
