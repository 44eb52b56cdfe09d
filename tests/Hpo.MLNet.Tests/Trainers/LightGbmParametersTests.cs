using Hpo.MLNet.Trainers;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.ML.Trainers.LightGbm;

namespace Hpo.MLNet.Tests.Trainers;

public class LightGbmParametersTests
{
    private static readonly Dictionary<string, object> All = new()
    {
        [LightGbmSearchSpace.LearningRate] = 0.05,
        [LightGbmSearchSpace.NumberOfLeaves] = 12L,
        [LightGbmSearchSpace.MinimumExampleCountPerLeaf] = 3L,
        [LightGbmSearchSpace.NumberOfIterations] = 250L,
        [LightGbmSearchSpace.L2Regularization] = 0.5,
    };

    [Fact]
    public void FromParameters_EveryName_ReadsTypedValues()
    {
        LightGbmParameters p = LightGbmParameters.FromParameters(All);

        Assert.Equal(new LightGbmParameters { LearningRate = 0.05, NumberOfLeaves = 12, MinimumExampleCountPerLeaf = 3, NumberOfIterations = 250, L2Regularization = 0.5 }, p);
    }

    [Fact]
    public void FromParameters_AbsentNames_LeavesThemNullAndMlNetDefaultsInPlace()
    {
        LightGbmParameters p = LightGbmParameters.FromParameters(new Dictionary<string, object> { [LightGbmSearchSpace.NumberOfLeaves] = 4L });
        LightGbmMulticlassTrainer.Options options = p.ToMulticlassOptions();
        var defaults = new LightGbmMulticlassTrainer.Options();

        Assert.Null(p.LearningRate);
        Assert.Null(p.NumberOfIterations);
        Assert.Equal(4, options.NumberOfLeaves);
        Assert.Equal(defaults.LearningRate, options.LearningRate);
        Assert.Equal(defaults.MinimumExampleCountPerLeaf, options.MinimumExampleCountPerLeaf);
        Assert.Equal(defaults.NumberOfIterations, options.NumberOfIterations);
        Assert.Same(defaults.Booster, options.Booster);
    }

    [Fact]
    public void FromParameters_UnrelatedNames_AreIgnored()
    {
        LightGbmParameters p = LightGbmParameters.FromParameters(new Dictionary<string, object> { ["features"] = "raw", [LightGbmSearchSpace.LearningRate] = 0.2 });

        Assert.Equal(new LightGbmParameters { LearningRate = 0.2 }, p);
    }

    [Fact]
    public void FromParameters_WrongType_ThrowsArgumentExceptionNamingTheParameter()
    {
        var e = Assert.Throws<ArgumentException>(() => LightGbmParameters.FromParameters(new Dictionary<string, object> { [LightGbmSearchSpace.NumberOfLeaves] = "many" }));

        Assert.Contains("'number_of_leaves' must be a whole number", e.Message, StringComparison.Ordinal);
        Assert.Contains("many (String)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromParameters_IntegerBeyondInt32_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => LightGbmParameters.FromParameters(new Dictionary<string, object> { [LightGbmSearchSpace.NumberOfIterations] = 1L + int.MaxValue }));
    }

    [Fact]
    public void FromParameters_ValuesLightGbmRejects_ThrowsListingEveryProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => LightGbmParameters.FromParameters(new Dictionary<string, object>
        {
            [LightGbmSearchSpace.NumberOfLeaves] = 1L,
            [LightGbmSearchSpace.LearningRate] = -0.1,
        }));

        Assert.Contains("The 'LightGbmParameters' are invalid.", e.Message, StringComparison.Ordinal);
        Assert.Contains("NumberOfLeaves must be at least 2, but got 1.", e.Message, StringComparison.Ordinal);
        Assert.Contains("LearningRate must be positive and finite, but got -0.1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromTrial_RealTrial_ReadsItsParameters()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "s", LightGbmSearchSpace.Create(), new StudyOptions { Seed = 3 });
        ITrial trial = await study.AskAsync();

        LightGbmParameters p = LightGbmParameters.FromTrial(trial);

        Assert.Equal(trial.Get<double>(LightGbmSearchSpace.LearningRate), p.LearningRate);
        Assert.Equal(trial.Get<int>(LightGbmSearchSpace.NumberOfLeaves), p.NumberOfLeaves);
        Assert.Equal(trial.Get<int>(LightGbmSearchSpace.MinimumExampleCountPerLeaf), p.MinimumExampleCountPerLeaf);
        Assert.Equal(trial.Get<int>(LightGbmSearchSpace.NumberOfIterations), p.NumberOfIterations);
        Assert.Equal(trial.Get<double>(LightGbmSearchSpace.L2Regularization), p.L2Regularization);
    }

    [Fact]
    public void ToMulticlassOptions_EveryParameter_IsMappedWithOneThreadAndDeterminism()
    {
        LightGbmMulticlassTrainer.Options options = LightGbmParameters.FromParameters(All).ToMulticlassOptions("Class", "X", seed: 7);

        Assert.Equal(0.05, options.LearningRate);
        Assert.Equal(12, options.NumberOfLeaves);
        Assert.Equal(3, options.MinimumExampleCountPerLeaf);
        Assert.Equal(250, options.NumberOfIterations);
        Assert.Equal(0.5, Assert.IsType<GradientBooster.Options>(options.Booster).L2Regularization);
        Assert.Equal("Class", options.LabelColumnName);
        Assert.Equal("X", options.FeatureColumnName);
        Assert.Equal(7, options.Seed);
        Assert.Equal(1, options.NumberOfThreads);
        Assert.True(options.Deterministic);
        Assert.True(options.Silent);
        Assert.True(options.UseSoftmax);
    }

    [Fact]
    public void ToBinaryOptions_EveryParameter_IsMapped()
    {
        LightGbmBinaryTrainer.Options options = LightGbmParameters.FromParameters(All).ToBinaryOptions(numberOfThreads: 2);

        Assert.Equal((0.05, 12, 3, 250), (options.LearningRate, options.NumberOfLeaves, options.MinimumExampleCountPerLeaf, options.NumberOfIterations));
        Assert.Equal(0.5, Assert.IsType<GradientBooster.Options>(options.Booster).L2Regularization);
        Assert.Equal(("Label", "Features", 2), (options.LabelColumnName, options.FeatureColumnName, options.NumberOfThreads));
        Assert.True(options.Deterministic);
    }

    [Fact]
    public void ToRegressionOptions_EveryParameter_IsMapped()
    {
        LightGbmRegressionTrainer.Options options = LightGbmParameters.FromParameters(All).ToRegressionOptions(seed: 1);

        Assert.Equal((0.05, 12, 3, 250), (options.LearningRate, options.NumberOfLeaves, options.MinimumExampleCountPerLeaf, options.NumberOfIterations));
        Assert.Equal(0.5, Assert.IsType<GradientBooster.Options>(options.Booster).L2Regularization);
        Assert.Equal((1, 1), (options.Seed, options.NumberOfThreads));
    }

    [Fact]
    public void ToMulticlassOptions_ValuesLightGbmRejects_ThrowsInvalidOperationException()
    {
        var p = new LightGbmParameters { MinimumExampleCountPerLeaf = 0, L2Regularization = double.NaN };

        var e = Assert.Throws<InvalidOperationException>(() => p.ToMulticlassOptions());
        Assert.Contains("MinimumExampleCountPerLeaf must be at least 1, but got 0.", e.Message, StringComparison.Ordinal);
        Assert.Contains("L2Regularization must be zero or more and finite, but got NaN.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Features", 1)]
    [InlineData("Label", " ", 1)]
    [InlineData("Label", "Features", 0)]
    public void ToMulticlassOptions_BadColumnsOrThreads_ThrowsArgumentException(string label, string features, int threads)
    {
        Assert.ThrowsAny<ArgumentException>(() => new LightGbmParameters().ToMulticlassOptions(label, features, numberOfThreads: threads));
    }
}
