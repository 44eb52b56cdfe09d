using FsCheck.Xunit;
using Hpo.SearchSpaces;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;
using static Hpo.Tests.Tuners.TunerKit;

namespace Hpo.Tests.Tuners;

/// <summary>
/// What every tuner promises, whatever its algorithm: it rejects a missing context; every proposal lies in the space (conditional
/// parameters included); the sequence is a function of the seed (and the options' seed, where the tuner has one, replaces the
/// study's); it never repeats a point of a finite space before it has tried them all; and it beats random search on a
/// multimodal box and a conditional model-selection problem over seeds. Each tuner's test class derives from this one (random
/// search, Gaussian process, genetic, simulated annealing); a custom tuner's tests can too.
/// </summary>
public abstract class TunerConformanceTests
{
    /// <summary>Gets an empty parameter set, for the running trial whose proposal a test asks for.</summary>
    protected static Dictionary<string, object> NoParameters { get; } = [];

    /// <summary>Gets the number of trials per seed of the bounds check (a slower tuner may ask for fewer).</summary>
    protected virtual int BoundsTrials => 60;

    /// <summary>Gets the length of the sequences the reproducibility check compares.</summary>
    protected virtual int ReproducibilityTrials => 30;

    /// <summary>Gets the number of seeds of each side of the comparison with random search.</summary>
    protected virtual int ComparisonSeeds => 40;

    /// <summary>Gets the budget of each run of the comparison with random search.</summary>
    protected virtual int ComparisonBudget => 60;

    /// <summary>Gets whether the tuner is expected to beat random search (false for random search itself).</summary>
    protected virtual bool BeatsRandomSearch => true;

    /// <summary>A three-dimensional box with a linear, a signed and a log-scaled float.</summary>
    protected static SearchSpace Box3() => new SearchSpaceBuilder().AddFloat("a", 0, 1).AddFloat("b", -5, 5).AddFloat("c", 1e-4, 1, log: true).Build();

    /// <summary>Creates the tuner with its default options.</summary>
    protected abstract ITuner CreateTuner();

    /// <summary>Creates the tuner with a seed of its own in its options; <see langword="null"/> when its options have no seed.</summary>
    protected abstract ITuner? CreateTuner(int optionsSeed);

    [Fact]
    public void Propose_NullContext_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => CreateTuner().Propose(null!));
    }

    [Fact]
    public void Propose_EveryParameterKindIncludingConditional_LiesInTheSpace()
    {
        SearchSpace space = EveryKind();
        var optimizers = new HashSet<object>();
        int warmups = 0;
        for (int seed = 0; seed < 4; seed++)
        {
            foreach (TrialRecord t in Run(CreateTuner(), space, EveryKindLoss, BoundsTrials, seed))
            {
                AssertInside(space, t.Parameters);
                optimizers.Add(t.Parameters["optimizer"]);
                warmups += t.Parameters.ContainsKey("warmup") ? 1 : 0;
            }
        }

        Assert.Equal(3, optimizers.Count);
        Assert.True(warmups > 0, "The doubly nested child 'warmup' was never active.");
    }

    [Property(MaxTest = 15)]
    public void Propose_SameSeed_GivesTheSameSequence(int seed)
    {
        List<string> first = [.. Run(CreateTuner(), EveryKind(), EveryKindLoss, ReproducibilityTrials, seed).Select(t => Key(t.Parameters))];
        List<string> second = [.. Run(CreateTuner(), EveryKind(), EveryKindLoss, ReproducibilityTrials, seed).Select(t => Key(t.Parameters))];
        List<string> other = [.. Run(CreateTuner(), EveryKind(), EveryKindLoss, ReproducibilityTrials, unchecked(seed + 1)).Select(t => Key(t.Parameters))];

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Propose_OptionsSeed_ReplacesTheStudySeed()
    {
        ITuner? tuner = CreateTuner(optionsSeed: 5);
        if (tuner is null)
        {
            // A tuner without a seed option follows the study's seed: different seeds, different sequences.
            Assert.DoesNotContain("\"Seed\"", CreateTuner().Settings, StringComparison.Ordinal);
            Assert.NotEqual(
                Run(CreateTuner(), Box3(), p => (double)p["a"], 10, seed: 1).Select(t => Key(t.Parameters)),
                Run(CreateTuner(), Box3(), p => (double)p["a"], 10, seed: 2).Select(t => Key(t.Parameters)));
            return;
        }

        List<string> a = [.. Run(tuner, Box3(), p => (double)p["a"], 25, seed: 1).Select(t => Key(t.Parameters))];
        List<string> b = [.. Run(tuner, Box3(), p => (double)p["a"], 25, seed: 2).Select(t => Key(t.Parameters))];

        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Propose_FiniteSpace_TriesEveryPointBeforeRepeatingOne(int seed)
    {
        // 3 x 2 x 2 = 12 points; the loss has a single best point so that a tuner that exploits keeps coming back to it.
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("a", "x", "y", "z").AddCategorical("b", true, false).AddInt("c", 1, 2).Build();
        static double Loss(IReadOnlyDictionary<string, object> p) => (p["a"] is "y" ? 0 : 1) + (p["b"] is true ? 0 : 0.5) + ((long)p["c"] == 2 ? 0 : 0.25);

        List<TrialRecord> trials = Run(CreateTuner(), space, Loss, 12, seed);

        List<string> keys = [.. trials.Select(t => Key(t.Parameters))];
        Assert.Equal(12, keys.Distinct().Count());
        Assert.Equal(0.0, BestValue(trials));
    }

    [Fact]
    public void Propose_OverSeeds_BeatsRandomSearchOnAMultimodalBoxAndAConditionalProblem()
    {
        var problems = new (string Name, SearchSpace Space, Func<IReadOnlyDictionary<string, object>, double> Loss)[]
        {
            ("Styblinski-Tang 4-D", StyblinskiSpace(), Styblinski),
            ("model selection (conditional)", ModelSpace(), ModelLoss),
        };

        foreach ((string name, SearchSpace space, Func<IReadOnlyDictionary<string, object>, double> loss) in problems)
        {
            double[] tuner = [.. Enumerable.Range(0, ComparisonSeeds).Select(s => BestValue(Run(CreateTuner(), space, loss, ComparisonBudget, s)))];

            // Random search's runs use other seeds, so that random search compared with itself is two independent samples.
            double[] random = [.. Enumerable.Range(1000, ComparisonSeeds).Select(s => BestValue(Run(new RandomSearchTuner(), space, loss, ComparisonBudget, s)))];

            double p = MannWhitneyLessP(tuner, random);
            if (BeatsRandomSearch)
            {
                Assert.True(p < 0.01, $"{CreateTuner().Name} is not better than random search on {name}: one-sided Mann-Whitney p = {p}.");
            }
            else
            {
                // Random search against itself: two independent samples, so only a broken statistic (or a tuner that is not
                // random search) gives a tiny p; at the 1% level one such comparison in a hundred would fail by chance.
                Assert.True(p >= 0.001, $"{CreateTuner().Name} looks better than random search on {name} (p = {p}), which it should not be.");
            }
        }
    }
}
