using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Tests.SearchSpaces;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;

namespace Hpo.Tests.Tuners.RandomSearch;

public class RandomSearchTunerTests : TunerConformanceTests
{
    /// <summary>Random search is the reference: the comparison checks that it is not better than itself.</summary>
    protected override bool BeatsRandomSearch => false;

    protected override ITuner CreateTuner() => new RandomSearchTuner();

    /// <summary>Random search has no seed of its own: it always follows the study's.</summary>
    protected override ITuner? CreateTuner(int optionsSeed) => null;

    private static SearchSpace MixedSpace() => new SearchSpaceBuilder()
        .AddFloat("lr", 1e-5, 1e-1, log: true)
        .AddFloat("dropout", 0, 0.5)
        .AddFloat("ratio", 0, 1, step: 0.1)
        .AddInt("layers", 1, 6)
        .AddInt("batch", 8, 512, log: true)
        .AddInt("units", 16, 250, step: 16)
        .AddCategorical("optimizer", "sgd", "adam", "rmsprop")
        .AddCategorical("nesterov", ParameterCondition.When("optimizer", "sgd"), true, false)
        .AddFloat("beta1", 0.8, 0.999, condition: ParameterCondition.When("optimizer", "adam", "rmsprop"))
        .AddInt("warmup", 0, 3, condition: ParameterCondition.When("nesterov", true))
        .Build();

    private static TunerContext Context(SearchSpace space, int trialNumber, int seed = 42, IReadOnlyList<TrialRecord>? trials = null) =>
        new(space, trials ?? [], [StudyDirection.Minimize], trialNumber, seed);

    private static TrialRecord Trial(int number, IReadOnlyDictionary<string, object> parameters, TrialState state = TrialState.Complete) => new()
    {
        Id = number + 1,
        Number = number,
        State = state,
        Parameters = parameters,
        Values = state == TrialState.Complete ? [number] : [],
    };

    /// <summary>Runs a study's proposal loop without a study: each trial is proposed from the history of those before it.</summary>
    private static List<IReadOnlyDictionary<string, object>> ProposeSequentially(ITuner tuner, SearchSpace space, int count, int seed)
    {
        var trials = new List<TrialRecord>();
        var proposals = new List<IReadOnlyDictionary<string, object>>();
        for (int n = 0; n < count; n++)
        {
            // The history holds the trial being proposed, still without parameters, as a study's does.
            TrialRecord[] history = [.. trials, Trial(n, new Dictionary<string, object>(), TrialState.Running)];
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, n, seed, history));
            proposals.Add(p);
            trials.Add(Trial(n, p));
        }

        return proposals;
    }

    [Fact]
    public void NameAndSettings_DescribeTheTuner()
    {
        var tuner = new RandomSearchTuner(new RandomSearchTunerOptions { AvoidRepeats = false });

        Assert.Equal("random", tuner.Name);
        Assert.Equal(RandomSearchTuner.TunerName, tuner.Name);
        Assert.Equal("{\"AvoidRepeats\":false}", tuner.Settings);
        Assert.Equal("{\"AvoidRepeats\":true}", new RandomSearchTuner().Settings);
    }

    [Fact]
    public void Propose_FiveHundredIndependentProposals_LieInTheSpace()
    {
        SearchSpace space = MixedSpace();
        var tuner = new RandomSearchTuner();
        var seenOptimizers = new HashSet<object>();
        var seenWarmup = false;

        for (int n = 0; n < 500; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, n));

            SpaceOracle.AssertValidPoint(space, p);
            Assert.Equal(p.Count, space.Validate(p).Count);
            seenOptimizers.Add(p["optimizer"]);
            seenWarmup |= p.ContainsKey("warmup");
        }

        Assert.Equal(3, seenOptimizers.Count);
        Assert.True(seenWarmup, "The doubly nested child 'warmup' was never active in 500 proposals.");
    }

    [Fact]
    public void Propose_SameSeedAndTrialNumber_GivesTheSameProposal()
    {
        SearchSpace space = MixedSpace();

        for (int n = 0; n < 20; n++)
        {
            IReadOnlyDictionary<string, object> a = new RandomSearchTuner().Propose(Context(space, n, seed: 9));
            IReadOnlyDictionary<string, object> b = new RandomSearchTuner().Propose(Context(space, n, seed: 9));

            Assert.Equal(SpaceOracle.Key(space, a), SpaceOracle.Key(space, b));
        }
    }

    [Fact]
    public void Propose_SameContextTwice_GivesTheSameProposal()
    {
        SearchSpace space = MixedSpace();
        var tuner = new RandomSearchTuner();
        TunerContext context = Context(space, 3);

        IReadOnlyDictionary<string, object> first = tuner.Propose(context);
        IReadOnlyDictionary<string, object> second = tuner.Propose(context);

        Assert.Equal(SpaceOracle.Key(space, first), SpaceOracle.Key(space, second));
    }

    [Fact]
    public void Propose_DifferentTrialNumbers_GiveDifferentProposals()
    {
        SearchSpace space = MixedSpace();
        var tuner = new RandomSearchTuner();

        string[] keys = [.. Enumerable.Range(0, 200).Select(n => SpaceOracle.Key(space, tuner.Propose(Context(space, n))))];

        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Propose_DifferentSeeds_GiveDifferentFirstProposalsAwayFromCentreAndCorners()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", -1, 1).AddFloat("y", 1e-3, 1e3, log: true).Build();
        var encoding = new UnitCubeEncoding(space);
        var tuner = new RandomSearchTuner();

        double[][] firsts = [.. Enumerable.Range(0, 50).Select(seed => encoding.Encode(tuner.Propose(Context(space, 0, seed))))];

        Assert.Equal(50, firsts.Select(u => SpaceOracle.Key(u)).Distinct(StringComparer.Ordinal).Count());
        Assert.All(firsts.SelectMany(u => u), u => Assert.True(u is not (0.0 or 0.5 or 1.0), $"Coordinate {u} is a fixed point."));
        Assert.InRange(firsts.Average(u => u[0]), 0.35, 0.65);
    }

    [Fact]
    public void Propose_LogFloat_IsUniformInLogSpace()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("lr", 1e-5, 1e-1, log: true).Build();
        var tuner = new RandomSearchTuner();

        double[] draws = [.. Enumerable.Range(0, 4000).Select(n => (double)tuner.Propose(Context(space, n))["lr"])];

        Assert.All(draws, d => Assert.InRange(d, 1e-5, 1e-1));
        Assert.InRange(draws.Count(d => d < 1e-3) / 4000.0, 0.45, 0.55);
        Assert.InRange(draws.Count(d => d < 1e-4) / 4000.0, 0.20, 0.30);

        // A linear draw would put about half below the arithmetic midpoint 0.05; a log-uniform one puts 92.5% there.
        Assert.InRange(draws.Count(d => d < 0.05) / 4000.0, 0.90, 0.95);
    }

    [Fact]
    public void Propose_LogInt_CoversEveryValueWithLogUniformMass()
    {
        SearchSpace space = new SearchSpaceBuilder().AddInt("batch", 1, 32, log: true).Build();
        var tuner = new RandomSearchTuner();

        long[] draws = [.. Enumerable.Range(0, 4000).Select(n => (long)tuner.Propose(Context(space, n))["batch"])];

        Assert.Equal(Enumerable.Range(1, 32).Select(v => (long)v), draws.Distinct().Order());

        // Mass of [1, 5] under log-uniform sampling of [0.5, 32.5]: ln(5.5 / 0.5) / ln(32.5 / 0.5) = 0.574.
        Assert.InRange(draws.Count(d => d <= 5) / 4000.0, 0.53, 0.62);
    }

    [Fact]
    public void Propose_LinearIntAndCategorical_AreRoughlyUniform()
    {
        SearchSpace space = new SearchSpaceBuilder().AddInt("n", 0, 9).AddCategorical("c", "a", "b", "c", "d").AddFloat("x", 0, 1).Build();
        var tuner = new RandomSearchTuner();

        var proposals = Enumerable.Range(0, 4000).Select(n => tuner.Propose(Context(space, n))).ToList();

        Assert.All(proposals.GroupBy(p => p["n"]), g => Assert.InRange(g.Count(), 300, 500));
        Assert.Equal(10, proposals.Select(p => p["n"]).Distinct().Count());
        Assert.All(proposals.GroupBy(p => p["c"]), g => Assert.InRange(g.Count(), 850, 1150));
        Assert.InRange(proposals.Count(p => (double)p["x"] < 0.5) / 4000.0, 0.45, 0.55);
    }

    [Fact]
    public void Propose_FiniteSpace_AvoidsPointsOfRunningAndFinishedTrials()
    {
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("c", "a", "b", "c").Build();
        TrialRecord[] history =
        [
            Trial(0, new Dictionary<string, object> { ["c"] = "a" }, TrialState.Failed),
            Trial(1, new Dictionary<string, object> { ["c"] = "b" }, TrialState.Running),
            Trial(2, new Dictionary<string, object>(), TrialState.Running),
        ];
        var tuner = new RandomSearchTuner();

        Assert.All(Enumerable.Range(2, 30), n => Assert.Equal("c", tuner.Propose(Context(space, n, trials: history))["c"]));
    }

    [Fact]
    public void Propose_AvoidRepeatsOff_RepeatsTriedPoints()
    {
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("c", "a", "b").Build();
        TrialRecord[] history = [Trial(0, new Dictionary<string, object> { ["c"] = "a" })];
        var tuner = new RandomSearchTuner(new RandomSearchTunerOptions { AvoidRepeats = false });

        var values = Enumerable.Range(1, 40).Select(n => tuner.Propose(Context(space, n, trials: history))["c"]).ToList();

        Assert.Contains("a", values);
        Assert.Contains("b", values);
    }

    [Fact]
    public void Propose_FiniteSpaceWithLogInt_ProposesEveryPointOnce()
    {
        SearchSpace space = new SearchSpaceBuilder().AddInt("batch", 1, 64, log: true).AddCategorical("c", "x", "y").Build();

        var proposals = ProposeSequentially(new RandomSearchTuner(), space, 128, seed: 3);

        Assert.Equal(128, proposals.Select(p => SpaceOracle.Key(space, p)).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Propose_AfterExhaustion_StillProposesValidPoints()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddCategorical("optimizer", "sgd", "adam")
            .AddInt("momentum", 0, 2, condition: ParameterCondition.When("optimizer", "sgd"))
            .Build();

        var proposals = ProposeSequentially(new RandomSearchTuner(), space, 12, seed: 5);

        Assert.Equal(4, proposals.Take(4).Select(p => SpaceOracle.Key(space, p)).Distinct(StringComparer.Ordinal).Count());
        Assert.All(proposals, p => SpaceOracle.AssertValidPoint(space, p));
    }

    [Fact]
    public void Propose_FiniteSpaceTooLargeToEnumerate_AvoidsTheHistory()
    {
        SearchSpace space = new SearchSpaceBuilder().AddInt("a", 0, 1999).AddInt("b", 0, 1999).Build();
        TrialRecord[] history = [.. Enumerable.Range(0, 50).Select(n => Trial(n, new RandomSearchTuner().Propose(Context(space, 100 + n))))];
        var seen = history.Select(t => SpaceOracle.Key(space, t.Parameters)).ToHashSet(StringComparer.Ordinal);

        // Proposing trial 100 + k with no history would repeat history[k] exactly; with it, the tuner must move away.
        IReadOnlyDictionary<string, object> p = new RandomSearchTuner().Propose(Context(space, 100, trials: history));

        Assert.DoesNotContain(SpaceOracle.Key(space, p), seen);
        SpaceOracle.AssertValidPoint(space, p);
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(Arbitraries)])]
    public void Propose_RandomSpaces_LieInTheSpace(GeneratedSpace generated, int seed, NonNegativeInt trialNumber)
    {
        SearchSpace space = generated.Space;

        IReadOnlyDictionary<string, object> p = new RandomSearchTuner().Propose(Context(space, trialNumber.Get, seed));

        SpaceOracle.AssertValidPoint(space, p);
        Assert.Equal(p.Count, space.Validate(p).Count);
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(Arbitraries)])]
    public void Propose_SmallFiniteSpaces_VisitsEveryPointOnceBeforeRepeating(FiniteSpace generated, int seed)
    {
        SearchSpace space = generated.Space;
        int n = (int)new UnitCubeEncoding(space).CountPoints(100_000)!.Value;

        var proposals = ProposeSequentially(new RandomSearchTuner(), space, n + 3, seed);

        Assert.Equal(n, proposals.Take(n).Select(p => SpaceOracle.Key(space, p)).Distinct(StringComparer.Ordinal).Count());
        Assert.All(proposals, p => SpaceOracle.AssertValidPoint(space, p));
    }

    /// <summary>A small finite space, as its own type so that it gets its own generator.</summary>
    public sealed class FiniteSpace(SearchSpace space)
    {
        public SearchSpace Space { get; } = space;

        public override string ToString() => Space.ToString();
    }

    public static class Arbitraries
    {
        public static Arbitrary<GeneratedSpace> Spaces() => Arb.From(SearchSpaceGenerators.AnySpace);

        public static Arbitrary<FiniteSpace> FiniteSpaces() => Arb.From(SearchSpaceGenerators.SmallFiniteSpace.Select(g => new FiniteSpace(g.Space)));
    }
}
