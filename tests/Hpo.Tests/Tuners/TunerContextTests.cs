using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;

namespace Hpo.Tests.Tuners;

public class TunerContextTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();

    private static TunerContext Context(int trialNumber, int seed, SearchSpace? space = null) =>
        new(space ?? Space, [], [StudyDirection.Minimize], trialNumber, seed);

    [Fact]
    public void Constructor_KeepsWhatItIsGiven()
    {
        TrialRecord[] trials = [new() { Id = 7, Number = 0, State = TrialState.Complete, Parameters = new Dictionary<string, object> { ["x"] = 0.5 } }];

        var context = new TunerContext(Space, trials, [StudyDirection.Maximize, StudyDirection.Minimize], 1, 99, budget: 20);

        Assert.Same(Space, context.SearchSpace);
        Assert.Same(trials, context.Trials);
        Assert.Equal(StudyDirection.Maximize, context.Direction);
        Assert.Equal(2, context.Directions.Count);
        Assert.Equal(1, context.TrialNumber);
        Assert.Equal(99, context.Seed);
        Assert.Equal(20, context.Budget);
    }

    [Fact]
    public void Constructor_NegativeTrialNumber_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Context(-1, 0));

        Assert.Equal("trialNumber", e.ParamName);
    }

    [Fact]
    public void Constructor_NoDirections_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new TunerContext(Space, [], [], 0, 0));

        Assert.Equal("directions", e.ParamName);
        Assert.Contains("at least one direction", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Nulls_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new TunerContext(null!, [], [StudyDirection.Minimize], 0, 0));
        Assert.Throws<ArgumentNullException>(() => new TunerContext(Space, null!, [StudyDirection.Minimize], 0, 0));
        Assert.Throws<ArgumentNullException>(() => new TunerContext(Space, [], null!, 0, 0));
    }

    [Fact]
    public void Random_SameSeedAndTrialNumber_GivesTheSameSequence()
    {
        Random first = Context(5, 1234).Random;
        Random second = Context(5, 1234).Random;

        Assert.Equal(Enumerable.Range(0, 20).Select(_ => first.NextDouble()), Enumerable.Range(0, 20).Select(_ => second.NextDouble()));
    }

    [Fact]
    public void Random_DifferentTrialNumbersOrSeeds_GiveDifferentSequences()
    {
        double baseline = Context(5, 1234).Random.NextDouble();

        Assert.NotEqual(baseline, Context(6, 1234).Random.NextDouble());
        Assert.NotEqual(baseline, Context(5, 1235).Random.NextDouble());
    }

    [Fact]
    public void Random_IsSeededByDeriveSeed()
    {
        double expected = new Random(TunerContext.DeriveSeed(77, 3)).NextDouble();

        Assert.Equal(expected, Context(3, 77).Random.NextDouble());
    }

    [Fact]
    public void DeriveSeed_SameInputs_SameSeed()
    {
        Assert.Equal(TunerContext.DeriveSeed(42, 17), TunerContext.DeriveSeed(42, 17));
    }

    [Fact]
    public void DeriveSeed_KnownInputs_GiveTheSameSeedsAsBefore()
    {
        // Stored studies replay their proposals from these seeds: changing the mix changes every study's trial sequence.
        Assert.Equal(
            [2065550767, 151149761, 1051451323, 1802976949],
            [TunerContext.DeriveSeed(0, 0), TunerContext.DeriveSeed(0, 1), TunerContext.DeriveSeed(42, 0), TunerContext.DeriveSeed(-1, long.MaxValue)]);
    }

    [Fact]
    public void DeriveSeed_ManyStreamsAndSeeds_AreNonNegativeAndDistinct()
    {
        int[] byStream = [.. Enumerable.Range(0, 2000).Select(n => TunerContext.DeriveSeed(7, n))];
        int[] bySeed = [.. Enumerable.Range(0, 2000).Select(s => TunerContext.DeriveSeed(s, 7))];

        Assert.All(byStream.Concat(bySeed), s => Assert.True(s >= 0));
        Assert.Equal(byStream.Length, byStream.Distinct().Count());
        Assert.Equal(bySeed.Length, bySeed.Distinct().Count());
        Assert.NotEqual(TunerContext.DeriveSeed(1, 2), TunerContext.DeriveSeed(2, 1));
    }

    [Fact]
    public void Encoding_SameSpace_IsSharedBetweenContexts()
    {
        SearchSpace space = new SearchSpaceBuilder().AddInt("n", 0, 3).Build();

        Assert.Same(Context(0, 0, space).Encoding, Context(1, 5, space).Encoding);
        Assert.Same(space, Context(0, 0, space).Encoding.Space);
    }
}
