using Hpo.Benchmarks.Suite;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;
using Hpo.Registries;

namespace Hpo.Benchmarks.Tests.Suite;

public class SuiteRunnerTests
{
    [Fact]
    public async Task RunAsync_OneSeedTwoFunctions_GivesBudgetMonotoneBestSoFarAndRegret()
    {
        IReadOnlyList<TestFunction> functions = [TestFunctions.Get("branin"), TestFunctions.Get("tuning_like")];
        var seen = new List<SuiteResult>();

        IReadOnlyList<SuiteResult> results = await SuiteRunner.RunAsync("random", 1, functions, seen.Add);

        Assert.Equal(results, seen);
        Assert.Equal(["branin", "tuning_like"], results.Select(r => r.Function));
        foreach (SuiteResult r in results)
        {
            TestFunction f = TestFunctions.Get(r.Function);
            Assert.Equal("hpo.random", r.Sampler);
            Assert.Equal(0, r.Seed);
            Assert.Equal(f.Budget, r.Budget);
            Assert.Equal(f.Budget, r.BestSoFar.Count);
            Assert.All(r.BestSoFar, v => Assert.True(double.IsFinite(v)));
            for (int i = 1; i < r.BestSoFar.Count; i++)
            {
                Assert.True(r.BestSoFar[i] <= r.BestSoFar[i - 1], $"best_so_far rises at {i}: {r.BestSoFar[i - 1]} -> {r.BestSoFar[i]}");
            }

            Assert.Equal(r.BestSoFar[^1] - f.FStar, r.FinalRegret);
            Assert.True(r.FinalRegret >= 0);
            Assert.True(r.WallSeconds > 0);
            Assert.True(r.PerTrialOverheadMs >= 0);
            Assert.True(r.PerTrialOverheadMs * r.Budget <= (r.WallSeconds * 1000) + 1e-9);
        }
    }

    [Fact]
    public async Task RunAsync_SeedStart_RunsThoseSeeds()
    {
        IReadOnlyList<SuiteResult> results = await SuiteRunner.RunAsync("random", 10, 2, [TestFunctions.Get("branin")], BudgetMode.Study);
        Assert.Equal([10, 11], results.Select(r => r.Seed));
    }

    [Fact]
    public async Task RunOneAsync_NoisyFunction_SeesNoiseAndIsScoredByTheTrueValueOfTheRecommendedTrial()
    {
        TestFunction noisy = TestFunctions.Get("hartmann6_noisy");
        SuiteResult r = await SuiteRunner.RunOneAsync("random", noisy, 10);
        SuiteResult exact = await SuiteRunner.RunOneAsync("random", TestFunctions.Get("hartmann6"), 10);

        // The same points (random search ignores the values), observed with the documented noise: trial i sees f + 0.1 z_i.
        Assert.NotEqual(exact.BestSoFar, r.BestSoFar);
        double observedBest = r.BestSoFar[^1];

        // Random search recommends its best observation; the regret is that point's true value, not the lucky observed one.
        Assert.NotEqual(observedBest - noisy.FStar, r.FinalRegret);
        Assert.True(r.FinalRegret >= 0);
        Assert.InRange(r.FinalRegret - (observedBest - noisy.FStar), -0.5, 0.5);
    }

    [Theory]
    [InlineData(BudgetMode.Run)]
    [InlineData(BudgetMode.None)]
    public async Task RunOneAsync_OpenEndedStudy_RunsTheBudgetsCount(BudgetMode mode)
    {
        SuiteResult r = await SuiteRunner.RunOneAsync("random", TestFunctions.Get("branin"), 2, mode);
        SuiteResult budgeted = await SuiteRunner.RunOneAsync("random", TestFunctions.Get("branin"), 2, BudgetMode.Study);

        Assert.Equal(50, r.BestSoFar.Count);
        Assert.Equal(budgeted.BestSoFar, r.BestSoFar); // random search does not plan: the same points either way
    }

    [Fact]
    public async Task RunOneAsync_GpWithoutAnyHorizon_StillReachesTheBraninGoal()
    {
        // The study has no budget and the run no trial count or timeout: the runner stops it after 50 trials, so the GP never
        // learns when the work ends. It must still find Branin's minimum to 1e-5, the goal of the budgeted study (seeds that
        // were not used to design the tuner: 40..42).
        foreach (int seed in new[] { 40, 41, 42 })
        {
            SuiteResult r = await SuiteRunner.RunOneAsync("gp", TestFunctions.Get("branin"), seed, BudgetMode.None);
            Assert.Equal(50, r.BestSoFar.Count);
            Assert.True(r.FinalRegret <= 1e-5, $"seed {seed}: regret {r.FinalRegret} without a horizon");
        }
    }

    [Fact]
    public async Task RunOneAsync_GpBudgetedOrOpenEnded_GivesTheSameCurve()
    {
        // Since issue 13's third pass nothing in the GP depends on the horizon (no endgame, no restart schedule): an
        // open-ended study that is stopped after the budget's count proposes exactly what the budgeted study does.
        TestFunction f = TestFunctions.Get("hartmann3");

        SuiteResult budgeted = await SuiteRunner.RunOneAsync("gp", f, 44, BudgetMode.Study);
        SuiteResult open = await SuiteRunner.RunOneAsync("gp", f, 44, BudgetMode.None);

        Assert.Equal(budgeted.BestSoFar, open.BestSoFar);
    }

    [Fact]
    public async Task RunOneAsync_SameSeedTwice_GivesTheSameCurve()
    {
        TestFunction f = TestFunctions.Get("hartmann6");

        SuiteResult a = await SuiteRunner.RunOneAsync("random", f, 3);
        SuiteResult b = await SuiteRunner.RunOneAsync("random", f, 3);
        SuiteResult other = await SuiteRunner.RunOneAsync("random", f, 4);

        Assert.Equal(a.BestSoFar, b.BestSoFar);
        Assert.NotEqual(a.BestSoFar, other.BestSoFar);
    }

    [Fact]
    public async Task RunOneAsync_RegisteredTuner_IsCreatedByNameAndProposesEveryTrial()
    {
        const string name = "suite-runner-tests-counting";
        var tuner = new CountingTuner(name);
        TunerRegistry.Default.Register(name, _ => tuner);

        SuiteResult r = await SuiteRunner.RunOneAsync(name, TestFunctions.Get("branin"), 0);

        Assert.Equal("hpo." + name, r.Sampler);
        Assert.Equal(50, tuner.Calls);
        Assert.Equal(50, r.BestSoFar.Count);
    }

    [Fact]
    public async Task RunAsync_UnknownTuner_ThrowsBeforeRunning()
    {
        var calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => SuiteRunner.RunAsync("no-such-tuner", 1, TestFunctions.All, _ => calls++));
        Assert.Equal(0, calls);
    }

    private sealed class CountingTuner(string name) : TunerBase
    {
        private readonly RandomSearchTuner inner = new();
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public override string Name => name;

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context)
        {
            Interlocked.Increment(ref calls);
            return inner.Propose(context);
        }
    }
}
