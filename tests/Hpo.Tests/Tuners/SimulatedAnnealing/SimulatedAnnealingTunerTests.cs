using FsCheck.Xunit;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;
using Hpo.Tuners.SimulatedAnnealing;
using Hpo.Registries;
using static Hpo.Tests.Tuners.TunerKit;

namespace Hpo.Tests.Tuners.SimulatedAnnealing;

public class SimulatedAnnealingTunerTests : TunerConformanceTests
{
    protected override ITuner CreateTuner() => new SimulatedAnnealingTuner();

    protected override ITuner CreateTuner(int optionsSeed) => new SimulatedAnnealingTuner(new SimulatedAnnealingTunerOptions { Seed = optionsSeed });

    [Fact]
    public void NameAndSettings_RoundTripThroughTheRegistry()
    {
        var tuner = new SimulatedAnnealingTuner(new SimulatedAnnealingTunerOptions
        {
            InitialTemperature = 2,
            FinalTemperature = 0.1,
            Schedule = AnnealingSchedule.Linear,
            OpenEndedCycle = 50,
            StepScale = 0.3,
            InitialTrials = 7,
            RestartPatience = 12,
            Seed = 99,
        });

        ITuner rebuilt = TunerRegistry.Default.Create("sa", tuner.Settings);

        Assert.Equal("sa", tuner.Name);
        Assert.IsType<SimulatedAnnealingTuner>(rebuilt);
        Assert.Equal(tuner.Settings, rebuilt.Settings);
        Assert.Contains("\"Schedule\":\"Linear\"", tuner.Settings, StringComparison.Ordinal);
        Assert.Equal(new SimulatedAnnealingTuner().Settings, TunerRegistry.Default.Create("sa").Settings);
    }

    [Fact]
    public void Propose_InitialTrials_AreALatinHypercubeDrawnFromTheSeed()
    {
        const int size = 6;
        SearchSpace space = new SearchSpaceBuilder().AddFloat("a", 0, 1).AddFloat("b", 0, 1).Build();
        var tuner = new SimulatedAnnealingTuner(new SimulatedAnnealingTunerOptions { InitialTrials = size });

        List<TrialRecord> first = Run(tuner, space, p => 0, size, seed: 1);
        List<TrialRecord> second = Run(tuner, space, p => 0, size, seed: 2);

        foreach (string name in new[] { "a", "b" })
        {
            Assert.Equal(Enumerable.Range(0, size), first.Select(t => (int)((double)t.Parameters[name] * size)).Order());
        }

        Assert.NotEqual(first.Select(t => Key(t.Parameters)), second.Select(t => Key(t.Parameters)));
    }

    [Fact]
    public void Propose_AfterTheInitialTrials_StartsFromTheBestOfThem()
    {
        // A tiny step: every neighbour stays next to the current point, the best of the initial trials.
        SearchSpace space = Box3();
        var tuner = new SimulatedAnnealingTuner(new SimulatedAnnealingTunerOptions { InitialTrials = 5, StepScale = 1e-3 });
        List<TrialRecord> initial = Run(tuner, space, p => Math.Abs((double)p["a"] - 0.5), 5, seed: 3);
        TrialRecord best = initial.MinBy(t => t.Value)!;

        IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, initial, 5, seed: 3, budget: 50));

        Assert.InRange((double)p["a"], (double)best.Parameters["a"] - 0.05, (double)best.Parameters["a"] + 0.05);
        Assert.InRange((double)p["b"], (double)best.Parameters["b"] - 0.5, (double)best.Parameters["b"] + 0.5);
    }

    [Fact]
    public void Propose_MoveSwitchesOnAChild_TakesItNearItsValueInTheBestTrialWhereItWasActive()
    {
        // The chain sits on a linear model; moves to the tree branch bring back depth and eta from the best tree trial,
        // a small step away; moves to knn, never tried, draw k at random; 'c' disappears whenever the model changes.
        SearchSpace space = ModelSpace();
        var tuner = new SimulatedAnnealingTuner(new SimulatedAnnealingTunerOptions { InitialTrials = 3, StepScale = 0.02 });
        TrialRecord[] history =
        [
            Record(0, new Dictionary<string, object> { ["model"] = "linear", ["c"] = 10.0, ["subsample"] = 0.8 }, value: 0.1),
            Record(1, new Dictionary<string, object> { ["model"] = "tree", ["depth"] = 9L, ["eta"] = 1e-3, ["subsample"] = 0.5 }, value: 5),
            Record(2, new Dictionary<string, object> { ["model"] = "tree", ["depth"] = 6L, ["eta"] = 0.1, ["subsample"] = 0.5 }, value: 2),
        ];
        var models = new HashSet<string>();

        for (int n = 3; n < 80; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, history, n, seed: 1, budget: 100));

            AssertInside(space, p);
            string model = (string)p["model"];
            models.Add(model);
            if (model == "tree")
            {
                Assert.InRange((long)p["depth"], 5L, 7L);
                Assert.InRange(Math.Log10((double)p["eta"]), -1.4, -0.6);
            }
            else if (model == "linear")
            {
                Assert.InRange(Math.Log10((double)p["c"]), 0.5, 1.5);
            }
        }

        Assert.Equal(3, models.Count);
    }

    [Fact]
    public void Propose_WithRunningTrials_DrawsDifferentNeighboursAndNeverRepeats()
    {
        // 60 points in all; 30 complete, then eight proposals from the same current point while the earlier ones still run.
        SearchSpace space = new SearchSpaceBuilder().AddInt("a", 1, 4).AddCategorical("b", "x", "y", "z").AddFloat("c", 0, 0.4, step: 0.1).Build();
        var tuner = new SimulatedAnnealingTuner();
        List<TrialRecord> trials = Run(tuner, space, p => (long)p["a"] + ((string)p["b"]).Length, 30, seed: 4);
        var seen = trials.Select(t => Key(t.Parameters)).ToHashSet();

        for (int n = 30; n < 38; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, [.. trials, Record(n, NoParameters, TrialState.Running)], n, seed: 4, budget: 60));

            Assert.True(seen.Add(Key(p)), $"Trial {n} repeats {Key(p)}.");
            trials.Add(Record(n, p, TrialState.Running));
        }
    }

    [Fact]
    public async Task OptimizeAsync_FourConcurrentWorkers_RunsTheBudgetWithDistinctTrials()
    {
        SearchSpace space = ModelSpace();

        IReadOnlyList<TrialRecord> trials = await RunConcurrentlyAsync(new SimulatedAnnealingTuner(), space, ModelLoss, budget: 40);

        Assert.Equal(40, trials.Count(t => t.State == TrialState.Complete));
        Assert.Equal(trials.Count, trials.Select(t => Key(t.Parameters)).Distinct().Count());
        Assert.All(trials, t => AssertInside(space, t.Parameters));
    }

    [Fact]
    public async Task Propose_ResumedFromASqliteFile_ContinuesTheSameSearch()
    {
        (List<string> resumed, List<string> uninterrupted) = await ResumeAsync(new SimulatedAnnealingTuner(), ModelSpace(), ModelLoss, seed: 11, budget: 30, firstPart: 14);

        Assert.Equal(30, resumed.Count);
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void Replay_CachedAcrossProposals_EqualsAFreshReplayOfTheHistory()
    {
        // One tuner (with its cache) follows a history in which trial 12 runs while later ones finish, then finishes; at each
        // step its state must equal a replay from scratch.
        SearchSpace space = Box3();
        var options = new SimulatedAnnealingTunerOptions();
        var tuner = new SimulatedAnnealingTuner(options);
        List<TrialRecord> complete = Run(new SimulatedAnnealingTuner(), space, p => (double)p["a"] + Math.Abs((double)p["b"]), 30, seed: 2);
        var settings = new AnnealingSettings(options, space.Count, seed: 2, budget: 30);

        for (int n = 6; n <= 30; n++)
        {
            TrialRecord[] trials = [.. complete.Take(n).Select(t => t.Number == 12 && n < 20 ? t with { State = TrialState.Running, Values = [] } : t)];
            EncodedHistory history = EncodedHistory.From(Context(space, trials, n, seed: 2, budget: 30));

            AnnealingState cached = tuner.Replay(history, settings, Context(space, trials, n, seed: 2).Encoding, 2, 30);
            AnnealingState fresh = AnnealingState.Replay(history, settings);

            Assert.True(cached.SameAs(fresh), $"The cached state differs from a fresh replay after {n} trials.");
            Assert.Equal(trials.Count(t => t.IsFinished), fresh.Processed);
        }
    }

    [Fact]
    public void Propose_FailedTrials_AreRejectedMovesAndNotRepeated()
    {
        SearchSpace space = new SearchSpaceBuilder().AddInt("a", 0, 9).AddInt("b", 0, 9).Build();
        var tuner = new SimulatedAnnealingTuner(new SimulatedAnnealingTunerOptions { InitialTrials = 2 });
        var history = new List<TrialRecord>();
        for (int n = 0; n < 40; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, [.. history, Record(n, NoParameters, TrialState.Running)], n, seed: 8, budget: 40));

            Assert.DoesNotContain(history, t => Key(t.Parameters) == Key(p));
            history.Add(n % 2 == 1 ? Record(n, p, TrialState.Failed) : Record(n, p, value: (long)p["a"] + (long)p["b"]));
        }
    }

    [Fact]
    public void Propose_AllTrialsFailed_DrawsDistinctRandomPoints()
    {
        SearchSpace space = Box3();
        var tuner = new SimulatedAnnealingTuner(new SimulatedAnnealingTunerOptions { InitialTrials = 3 });
        var history = new List<TrialRecord>();
        for (int n = 0; n < 12; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, [.. history, Record(n, NoParameters, TrialState.Running)], n, seed: 5, budget: 12));

            AssertInside(space, p);
            history.Add(Record(n, p, TrialState.Failed));
        }

        Assert.Equal(12, history.Select(t => Key(t.Parameters)).Distinct().Count());
    }

    [Fact]
    public void Propose_Maximize_MovesTowardsHigherValues()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("a", 0, 1).Build();
        var maximizing = new List<TrialRecord>();
        var tuner = new SimulatedAnnealingTuner();
        for (int n = 0; n < 40; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, [.. maximizing], n, seed: 1, budget: 40, direction: StudyDirection.Maximize));
            maximizing.Add(Record(n, p, value: (double)p["a"]));
        }

        Assert.True(maximizing.Max(t => t.Value!.Value) > 0.97, $"Best {maximizing.Max(t => t.Value!.Value)} when maximizing a.");
        Assert.True(maximizing.Skip(30).Average(t => t.Value!.Value) > 0.8, "The chain does not stay near the high values.");
    }
}
