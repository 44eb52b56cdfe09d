using Hpo.SearchSpaces;
using Hpo.Trials;
using Hpo.Tuners;
using static Hpo.Tests.Tuners.TunerKit;

namespace Hpo.Tests.Tuners;

/// <summary>The seed rule the seeded tuners share (<see cref="SeededProposal"/>) and the recall of a switched-on parameter (<see cref="EncodedHistory.BestWhereActive"/>).</summary>
public sealed class SeededProposalTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();

    [Fact]
    public void Begin_WithoutOwnSeed_UsesTheStudySeedAndTheContextsStream()
    {
        TunerContext context = Context(Space, [], number: 3, seed: 42);

        (UnitCubeEncoding encoding, int seed, Random random) = SeededProposal.Begin(context, ownSeed: null);

        Assert.Same(context.Encoding, encoding);
        Assert.Equal(42, seed);
        Assert.Same(context.Random, random);
    }

    [Fact]
    public void Begin_WithOwnSeed_ReplacesTheStudySeedAndDerivesTheTrialsStreamFromIt()
    {
        TunerContext context = Context(Space, [], number: 3, seed: 42);

        (_, int seed, Random random) = SeededProposal.Begin(context, ownSeed: 7);

        Assert.Equal(7, seed);
        Assert.NotSame(context.Random, random);
        Assert.Equal(new Random(TunerContext.DeriveSeed(7, 3)).NextDouble(), random.NextDouble());
    }

    [Fact]
    public void Begin_WithOwnSeed_SameStreamWhateverTheStudySeed()
    {
        Random a = SeededProposal.Begin(Context(Space, [], number: 5, seed: 1), ownSeed: 9).Random;
        Random b = SeededProposal.Begin(Context(Space, [], number: 5, seed: 2), ownSeed: 9).Random;
        Random c = SeededProposal.Begin(Context(Space, [], number: 6, seed: 1), ownSeed: 9).Random;

        double first = a.NextDouble();
        Assert.Equal(first, b.NextDouble());
        Assert.NotEqual(first, c.NextDouble());
    }

    [Fact]
    public void Begin_NullContext_ThrowsNamingIt()
    {
        ArgumentNullException e = Assert.Throws<ArgumentNullException>(() => SeededProposal.Begin(null!, ownSeed: 1));

        Assert.Equal("context", e.ParamName);
    }

    [Fact]
    public void BestWhereActive_ReturnsTheLowestLossAmongTrialsWhereTheParameterIsActive()
    {
        SearchSpace space = ModelSpace();
        TrialRecord[] trials =
        [
            Record(0, Point("tree", depth: 3), value: 0.1), // best overall, but depth is not c
            Record(1, Point("linear", c: 1.0), value: 0.5),
            Record(2, Point("linear", c: 10.0), value: 0.3),
            Record(3, Point("linear", c: 100.0), TrialState.Failed), // no loss
            Record(4, Point("linear", c: 0.01), TrialState.Running),
        ];
        EncodedHistory history = EncodedHistory.From(Context(space, trials, number: 5, seed: 1));

        EncodedTrial? best = history.BestWhereActive(space.IndexOf("c"));

        Assert.Equal(2, best?.Number);
        Assert.Equal(0, history.BestWhereActive(space.IndexOf("depth"))?.Number);
        Assert.Null(history.BestWhereActive(space.IndexOf("k")));
    }

    private static Dictionary<string, object> Point(string model, double? c = null, long? depth = null)
    {
        var p = new Dictionary<string, object> { ["model"] = model, ["subsample"] = 0.8 };
        if (c is double cv)
        {
            p["c"] = cv;
        }

        if (depth is long d)
        {
            p["depth"] = d;
            p["eta"] = 0.1;
        }

        return p;
    }
}
