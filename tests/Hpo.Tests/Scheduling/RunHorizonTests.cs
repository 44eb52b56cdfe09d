using Hpo.Scheduling;
using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Microsoft.Extensions.Time.Testing;

namespace Hpo.Tests.Scheduling;

public class RunHorizonTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();

    [Fact]
    public async Task OptimizeAsync_OpenEndedStudyWithATrialCount_ShowsTheRunsEndToTheTuner()
    {
        var spy = new HorizonSpy();
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "h", Space, new StudyOptions { Tuner = spy });

        await study.OptimizeAsync(t => (double)t.Parameters["x"], new OptimizeOptions { TrialCount = 6 });
        await study.OptimizeAsync(t => (double)t.Parameters["x"], new OptimizeOptions { TrialCount = 4 });
        ITrial asked = await study.AskAsync();

        Assert.Equal([6, 6, 6, 6, 6, 6, 10, 10, 10, 10, null], spy.Horizons);
        Assert.Equal(10, asked.Number);
    }

    [Fact]
    public async Task OptimizeAsync_StudyWithABudget_ShowsTheBudgetWhateverTheRun()
    {
        var spy = new HorizonSpy();
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "b", Space, new StudyOptions { Tuner = spy, Budget = 8 });

        await study.OptimizeAsync(t => (double)t.Parameters["x"], new OptimizeOptions { TrialCount = 3 });

        Assert.Equal([8, 8, 8], spy.Horizons);
    }

    [Fact]
    public void For_TimeoutOnly_EstimatesTheTrialsLeftAtThePaceSoFar()
    {
        var clock = new FakeTimeProvider();
        var horizon = new RunHorizon(trialCount: null, timeout: TimeSpan.FromSeconds(100), clock);

        Assert.Null(horizon.For(0)); // no pace yet
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2 + 9, horizon.For(1)); // 10 s per trial, 90 s left: 9 more after this one
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3 + 8, horizon.For(2));
        Assert.False(new RunHorizon(null, null, clock).IsKnown);
    }

    [Fact]
    public void For_TrialCountAndTimeout_TakesTheEarlierEnd()
    {
        var clock = new FakeTimeProvider();
        var horizon = new RunHorizon(trialCount: 50, timeout: TimeSpan.FromSeconds(100), clock);

        Assert.Equal(55, horizon.For(5));
        clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(7 + 1, horizon.For(6)); // 50 s for one trial, 50 s left: one more
    }

    [Fact]
    public void Constructor_Horizon_IsTheBudgetWhenThereIsOne()
    {
        Assert.Equal(20, new TunerContext(Space, [], [StudyDirection.Minimize], 0, 0, budget: 20, horizon: 50).Horizon);
        Assert.Equal(50, new TunerContext(Space, [], [StudyDirection.Minimize], 0, 0, budget: null, horizon: 50).Horizon);
        Assert.Null(new TunerContext(Space, [], [StudyDirection.Minimize], 0, 0).Horizon);
    }

    private sealed class HorizonSpy : TunerBase
    {
        private readonly Lock gate = new();

        public List<int?> Horizons { get; } = [];

        public override string Name => "random";

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context)
        {
            lock (gate)
            {
                Horizons.Add(context.Horizon);
            }

            return new Dictionary<string, object> { ["x"] = context.Random.NextDouble() };
        }
    }
}
