using FsCheck.Xunit;
using Hpo.SearchSpaces;
using Hpo.Trials;
using Hpo.Tuners;
using static Hpo.Tests.Tuners.EvolutionaryTunerKit;

namespace Hpo.Tests.Tuners;

/// <summary>
/// What the genetic and the annealing tuner both promise: every proposal lies in the space (conditional parameters included), the
/// sequence is a function of the seed, and the options' seed replaces the study's. Each tuner's test class derives from this one.
/// </summary>
public abstract class EvolutionaryTunerContractTests
{
    /// <summary>Gets an empty parameter set, for the running trial whose proposal a test asks for.</summary>
    protected static Dictionary<string, object> NoParameters { get; } = [];

    /// <summary>A three-dimensional box with a linear, a signed and a log-scaled float.</summary>
    protected static SearchSpace Box3() => new SearchSpaceBuilder().AddFloat("a", 0, 1).AddFloat("b", -5, 5).AddFloat("c", 1e-4, 1, log: true).Build();

    /// <summary>Creates the tuner with its default options.</summary>
    protected abstract ITuner CreateTuner();

    /// <summary>Creates the tuner with a seed of its own in its options.</summary>
    protected abstract ITuner CreateTuner(int optionsSeed);

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
            foreach (TrialRecord t in Run(CreateTuner(), space, EveryKindLoss, 60, seed))
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
        List<string> first = [.. Run(CreateTuner(), EveryKind(), EveryKindLoss, 30, seed).Select(t => Key(t.Parameters))];
        List<string> second = [.. Run(CreateTuner(), EveryKind(), EveryKindLoss, 30, seed).Select(t => Key(t.Parameters))];
        List<string> other = [.. Run(CreateTuner(), EveryKind(), EveryKindLoss, 30, unchecked(seed + 1)).Select(t => Key(t.Parameters))];

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Propose_OptionsSeed_ReplacesTheStudySeed()
    {
        ITuner tuner = CreateTuner(optionsSeed: 5);

        List<string> a = [.. Run(tuner, Box3(), p => (double)p["a"], 25, seed: 1).Select(t => Key(t.Parameters))];
        List<string> b = [.. Run(tuner, Box3(), p => (double)p["a"], 25, seed: 2).Select(t => Key(t.Parameters))];

        Assert.Equal(a, b);
    }
}
