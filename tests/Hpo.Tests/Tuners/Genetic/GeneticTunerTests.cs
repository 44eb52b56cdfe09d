using FsCheck.Xunit;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.Genetic;
using Hpo.Tuners.RandomSearch;
using Hpo.Registries;
using static Hpo.Tests.Tuners.TunerKit;

namespace Hpo.Tests.Tuners.Genetic;

public class GeneticTunerTests : TunerConformanceTests
{
    protected override ITuner CreateTuner() => new GeneticTuner();

    protected override ITuner CreateTuner(int optionsSeed) => new GeneticTuner(new GeneticTunerOptions { Seed = optionsSeed });

    [Fact]
    public void NameAndSettings_RoundTripThroughTheRegistry()
    {
        var tuner = new GeneticTuner(new GeneticTunerOptions { PopulationSize = 12, TournamentSize = 4, CrossoverRate = 0.7, MutationRate = 0.25, MutationScale = 1.5, Seed = 77 });

        ITuner rebuilt = TunerRegistry.Default.Create("ga", tuner.Settings);

        Assert.Equal("ga", tuner.Name);
        Assert.IsType<GeneticTuner>(rebuilt);
        Assert.Equal(tuner.Settings, rebuilt.Settings);
        Assert.Contains("\"PopulationSize\":12", tuner.Settings, StringComparison.Ordinal);
        Assert.Equal(new GeneticTuner().Settings, TunerRegistry.Default.Create("ga").Settings);
    }

    [Fact]
    public void Propose_InitialPopulation_IsALatinHypercubeDrawnFromTheSeed()
    {
        const int size = 8;
        SearchSpace space = new SearchSpaceBuilder().AddFloat("a", 0, 1).AddFloat("b", 0, 1).AddFloat("c", 0, 1).Build();
        var tuner = new GeneticTuner(new GeneticTunerOptions { PopulationSize = size });

        List<TrialRecord> first = Run(tuner, space, p => 0, size, seed: 1);
        List<TrialRecord> second = Run(tuner, space, p => 0, size, seed: 2);

        foreach (string name in new[] { "a", "b", "c" })
        {
            int[] strata = [.. first.Select(t => (int)((double)t.Parameters[name] * size)).Order()];
            Assert.Equal(Enumerable.Range(0, size), strata);
        }

        Assert.NotEqual(first.Select(t => Key(t.Parameters)), second.Select(t => Key(t.Parameters)));
        Assert.DoesNotContain(first, t => (double)t.Parameters["a"] == 0.5 && (double)t.Parameters["b"] == 0.5);
    }

    [Fact]
    public void Propose_ConditionalChildren_AreInheritedOnlyFromParentsWhereTheyAreActive()
    {
        // Two parents on different branches; no mutation, so every child parameter comes from a parent that has it.
        SearchSpace space = ModelSpace();
        var tuner = new GeneticTuner(new GeneticTunerOptions { PopulationSize = 2, TournamentSize = 1, CrossoverRate = 1, MutationRate = 0 });
        TrialRecord[] history =
        [
            Record(0, new Dictionary<string, object> { ["model"] = "linear", ["c"] = 10.0, ["subsample"] = 0.5 }, value: 1),
            Record(1, new Dictionary<string, object> { ["model"] = "tree", ["depth"] = 4L, ["eta"] = 0.01, ["subsample"] = 0.6 }, value: 2),
        ];
        var models = new HashSet<string>();

        for (int n = 2; n < 60; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, history, n, seed: 3));

            AssertInside(space, p);
            string model = (string)p["model"];
            models.Add(model);
            if (model == "linear")
            {
                Assert.Equal(10.0, p["c"]);
            }
            else
            {
                Assert.Equal("tree", model);
                Assert.Equal(4L, p["depth"]);
                Assert.Equal(0.01, (double)p["eta"], 12);
            }
        }

        Assert.Equal(2, models.Count);
    }

    [Fact]
    public void Propose_WithRunningTrials_NeverRepeatsATriedOrRunningConfiguration()
    {
        // 60 points in all; 30 complete, then eight proposals while the earlier ones still run.
        SearchSpace space = new SearchSpaceBuilder().AddInt("a", 1, 4).AddCategorical("b", "x", "y", "z").AddFloat("c", 0, 0.4, step: 0.1).Build();
        var tuner = new GeneticTuner();
        List<TrialRecord> trials = Run(tuner, space, p => (long)p["a"] + ((string)p["b"]).Length, 30, seed: 4);
        var seen = trials.Select(t => Key(t.Parameters)).ToHashSet();
        Assert.Equal(30, seen.Count);

        for (int n = 30; n < 38; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, [.. trials, Record(n, NoParameters, TrialState.Running)], n, seed: 4));

            Assert.True(seen.Add(Key(p)), $"Trial {n} repeats {Key(p)}.");
            trials.Add(Record(n, p, TrialState.Running));
        }
    }

    [Fact]
    public async Task OptimizeAsync_FourConcurrentWorkers_RunsTheBudgetWithDistinctTrials()
    {
        SearchSpace space = ModelSpace();

        IReadOnlyList<TrialRecord> trials = await RunConcurrentlyAsync(new GeneticTuner(), space, ModelLoss, budget: 40);

        Assert.Equal(40, trials.Count(t => t.State == TrialState.Complete));
        Assert.Equal(trials.Count, trials.Select(t => Key(t.Parameters)).Distinct().Count());
        Assert.All(trials, t => AssertInside(space, t.Parameters));
    }

    [Fact]
    public async Task Propose_ResumedFromASqliteFile_ContinuesTheSameSearch()
    {
        (List<string> resumed, List<string> uninterrupted) = await ResumeAsync(new GeneticTuner(new GeneticTunerOptions { PopulationSize = 6 }), ModelSpace(), ModelLoss, seed: 11, budget: 30, firstPart: 14);

        Assert.Equal(30, resumed.Count);
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void Propose_FailedAndPrunedTrials_NeverBreedAndAreNotRepeated()
    {
        SearchSpace space = new SearchSpaceBuilder().AddInt("a", 0, 9).AddInt("b", 0, 9).Build();
        var tuner = new GeneticTuner(new GeneticTunerOptions { PopulationSize = 4 });
        var history = new List<TrialRecord>();
        for (int n = 0; n < 12; n++)
        {
            var p = new Dictionary<string, object> { ["a"] = (long)n % 10, ["b"] = (long)n / 2 };
            history.Add(n % 3 == 0 ? Record(n, p, TrialState.Failed) : n % 3 == 1 ? Record(n, p, TrialState.Pruned) : Record(n, p, value: 100 - n));
        }

        for (int n = 12; n < 40; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, [.. history, Record(n, NoParameters, TrialState.Running)], n, seed: 8));

            Assert.DoesNotContain(history, t => Key(t.Parameters) == Key(p));
            history.Add(Record(n, p, value: (long)p["a"] + (long)p["b"]));
        }
    }

    [Fact]
    public void Propose_WholeInitialPopulationFailed_DrawsDistinctRandomPoints()
    {
        SearchSpace space = Box3();
        var tuner = new GeneticTuner(new GeneticTunerOptions { PopulationSize = 4 });
        var history = new List<TrialRecord>();
        for (int n = 0; n < 12; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, [.. history, Record(n, NoParameters, TrialState.Running)], n, seed: 5));

            AssertInside(space, p);
            history.Add(Record(n, p, TrialState.Failed));
        }

        Assert.Equal(12, history.Select(t => Key(t.Parameters)).Distinct().Count());
    }

    [Fact]
    public void Propose_AfterTheInitialPopulation_ConvergesTowardsTheOptimum()
    {
        // On a smooth bowl the children of the best trials must get close to the minimum at (0.3, 0.3, 0.3).
        SearchSpace space = new SearchSpaceBuilder().AddFloat("a", 0, 1).AddFloat("b", 0, 1).AddFloat("c", 0, 1).Build();
        static double Bowl(IReadOnlyDictionary<string, object> p) => new[] { "a", "b", "c" }.Sum(n => ((double)p[n] - 0.3) * ((double)p[n] - 0.3));

        List<TrialRecord> trials = Run(new GeneticTuner(), space, Bowl, 120, seed: 6);

        Assert.True(BestValue(trials.Take(10)) > 1e-3, "The initial population should not already be at the optimum.");
        Assert.True(BestValue(trials) < 1e-3, $"Best value {BestValue(trials)} after 120 trials.");
    }

    [Fact]
    public void Propose_Maximize_BreedsFromTheHighestValues()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("a", 0, 1).Build();
        var tuner = new GeneticTuner(new GeneticTunerOptions { PopulationSize = 3, MutationRate = 0, CrossoverRate = 1 });
        TrialRecord[] history = [.. Enumerable.Range(0, 10).Select(n => Record(n, new Dictionary<string, object> { ["a"] = n / 10.0 }, value: n))];

        for (int n = 10; n < 30; n++)
        {
            double a = (double)tuner.Propose(Context(space, history, n, seed: 2, direction: StudyDirection.Maximize))["a"];

            // Children of 0.7, 0.8 and 0.9 by simulated binary crossover: near them, far from the low values.
            Assert.True(a > 0.35, $"Child {a} is not bred from the highest values.");
        }
    }
}
