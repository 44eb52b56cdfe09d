using FsCheck.Xunit;
using Hpo.MLNet.Trainers;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;

namespace Hpo.MLNet.Tests.Trainers;

public class LightGbmSearchSpaceTests
{
    [Fact]
    public void Create_Always_DeclaresTheNamedParametersInOrder()
    {
        SearchSpace space = LightGbmSearchSpace.Create();

        Assert.Equal(LightGbmSearchSpace.ParameterNames, space.Parameters.Select(p => p.Name));
        Assert.Equal(
            ["learning_rate", "number_of_leaves", "minimum_example_count_per_leaf", "number_of_iterations", "l2_regularization"],
            LightGbmSearchSpace.ParameterNames);
    }

    [Fact]
    public void Create_Always_SearchesEveryParameterOnALogScaleWithinLightGbmLimits()
    {
        SearchSpace space = LightGbmSearchSpace.Create();

        var learningRate = Assert.IsType<FloatDistribution>(space[LightGbmSearchSpace.LearningRate].Distribution);
        var leaves = Assert.IsType<IntDistribution>(space[LightGbmSearchSpace.NumberOfLeaves].Distribution);
        var minimum = Assert.IsType<IntDistribution>(space[LightGbmSearchSpace.MinimumExampleCountPerLeaf].Distribution);
        var iterations = Assert.IsType<IntDistribution>(space[LightGbmSearchSpace.NumberOfIterations].Distribution);
        var l2 = Assert.IsType<FloatDistribution>(space[LightGbmSearchSpace.L2Regularization].Distribution);
        Assert.All(new[] { learningRate.Log, leaves.Log, minimum.Log, iterations.Log, l2.Log }, Assert.True);
        Assert.True(learningRate.Low > 0 && learningRate.High <= 1);
        Assert.True(leaves.Low >= 2);
        Assert.True(minimum.Low >= 1);
        Assert.True(iterations.Low >= 1);
        Assert.True(l2.Low >= 0);
        Assert.False(space.IsConditional);
    }

    [Fact]
    public void Create_CalledTwice_ReturnsEqualSpaces()
    {
        // A resumed study compares the stored space with the one given: the same call must produce an equal space.
        Assert.Equal(LightGbmSearchSpace.Create(), LightGbmSearchSpace.Create());
        Assert.Equal(LightGbmSearchSpace.Create(), SearchSpace.FromJson(LightGbmSearchSpace.Create().ToJson()));
    }

    [Property(MaxTest = 40)]
    public void Create_RandomProposals_MapToValidMulticlassOptions(int seed)
    {
        SearchSpace space = LightGbmSearchSpace.Create();
        ITuner tuner = new RandomSearchTuner();
        for (int number = 0; number < 5; number++)
        {
            var context = new TunerContext(space, Array.Empty<TrialRecord>(), [StudyDirection.Maximize], number, seed);
            IReadOnlyDictionary<string, object> proposal = space.Validate(tuner.Propose(context));

            var options = LightGbmParameters.FromParameters(proposal).ToMulticlassOptions();

            Assert.InRange(options.LearningRate!.Value, 1e-3, 0.5);
            Assert.InRange(options.NumberOfLeaves!.Value, 2, 128);
            Assert.InRange(options.MinimumExampleCountPerLeaf!.Value, 1, 64);
            Assert.InRange(options.NumberOfIterations, 10, 500);
        }
    }
}
