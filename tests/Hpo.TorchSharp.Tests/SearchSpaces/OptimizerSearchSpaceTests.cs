using FsCheck.Xunit;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.TorchSharp.Optimizers;
using Hpo.TorchSharp.SearchSpaces;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;

namespace Hpo.TorchSharp.Tests.SearchSpaces;

public class OptimizerSearchSpaceTests
{
    [Fact]
    public void Create_Default_DeclaresEveryParameter()
    {
        SearchSpace space = OptimizerSearchSpace.Create();

        Assert.Equal(OptimizerSearchSpace.ParameterNames, space.Parameters.Select(p => p.Name));
        var optimizer = Assert.IsType<CategoricalDistribution>(space[OptimizerSearchSpace.Optimizer].Distribution);
        Assert.Equal(["sgd", "momentum", "adam", "adamw", "adagrad", "rmsprop"], optimizer.Choices);
        var decay = Assert.IsType<CategoricalDistribution>(space[OptimizerSearchSpace.Decay].Distribution);
        Assert.Equal(["none", "exponential", "polynomial", "piecewise_constant", "cosine"], decay.Choices);
        Assert.True(Assert.IsType<FloatDistribution>(space[OptimizerSearchSpace.LearningRate].Distribution).Log);
    }

    [Theory]
    [InlineData("adam", true)]
    [InlineData("adamw", true)]
    [InlineData("sgd", false)]
    [InlineData("momentum", false)]
    [InlineData("adagrad", false)]
    [InlineData("rmsprop", false)]
    public void Create_Default_BetasAndEpsilonOnlyForAdamAndAdamW(string optimizer, bool active)
    {
        SearchSpace space = OptimizerSearchSpace.Create();
        var values = new Dictionary<string, object> { [OptimizerSearchSpace.Optimizer] = optimizer, [OptimizerSearchSpace.Decay] = "none" };

        Assert.Equal(active, space.IsActive(OptimizerSearchSpace.Beta1, values));
        Assert.Equal(active, space.IsActive(OptimizerSearchSpace.Beta2, values));
        Assert.Equal(active, space.IsActive(OptimizerSearchSpace.Epsilon, values));
        Assert.Equal(optimizer == "momentum", space.IsActive(OptimizerSearchSpace.Momentum, values));
        Assert.True(space.IsActive(OptimizerSearchSpace.LearningRate, values));
    }

    [Theory]
    [InlineData("none", new string[0])]
    [InlineData("exponential", new[] { OptimizerSearchSpace.DecayPeriod, OptimizerSearchSpace.DecayRate, OptimizerSearchSpace.Staircase })]
    [InlineData("polynomial", new[] { OptimizerSearchSpace.DecayPeriod, OptimizerSearchSpace.EndFactor, OptimizerSearchSpace.Power })]
    [InlineData("piecewise_constant", new[] { OptimizerSearchSpace.PiecewiseBoundaries, OptimizerSearchSpace.PiecewiseFactor })]
    [InlineData("cosine", new[] { OptimizerSearchSpace.DecayPeriod, OptimizerSearchSpace.EndFactor })]
    public void Create_Default_DecaySettingsOnlyForTheirDecay(string decay, string[] expected)
    {
        SearchSpace space = OptimizerSearchSpace.Create();
        var values = new Dictionary<string, object> { [OptimizerSearchSpace.Optimizer] = "sgd", [OptimizerSearchSpace.Decay] = decay };
        string[] decaySettings =
        [
            OptimizerSearchSpace.DecayPeriod, OptimizerSearchSpace.DecayRate, OptimizerSearchSpace.Staircase, OptimizerSearchSpace.EndFactor,
            OptimizerSearchSpace.Power, OptimizerSearchSpace.PiecewiseBoundaries, OptimizerSearchSpace.PiecewiseFactor,
        ];

        string[] active = [.. decaySettings.Where(n => space.IsActive(n, values))];

        Assert.Equal(expected.Order(), active.Order());
    }

    [Fact]
    public void Create_Narrowed_HoldsOnlyTheChosenOptimizersRangesAndSettings()
    {
        var options = new OptimizerSearchSpaceOptions
        {
            LearningRate = new FloatDistribution(1e-3, 1e-2, log: true),
            ClipNorm = null,
            BatchSize = new IntDistribution(16, 64, log: true),
        };
        options.Optimizers.Clear();
        options.Optimizers.Add(OptimizerKind.Sgd);
        options.Optimizers.Add(OptimizerKind.Momentum);
        options.Decays.Clear();
        options.Decays.Add(LearningRateDecayKind.None);
        options.Decays.Add(LearningRateDecayKind.Cosine);

        SearchSpace space = OptimizerSearchSpace.Create(options);

        Assert.Equal(["sgd", "momentum"], Assert.IsType<CategoricalDistribution>(space[OptimizerSearchSpace.Optimizer].Distribution).Choices);
        Assert.False(space.Contains(OptimizerSearchSpace.Beta1));
        Assert.False(space.Contains(OptimizerSearchSpace.Epsilon));
        Assert.False(space.Contains(OptimizerSearchSpace.ClipNorm));
        Assert.False(space.Contains(OptimizerSearchSpace.DecayRate));
        Assert.False(space.Contains(OptimizerSearchSpace.PiecewiseBoundaries));
        Assert.True(space.Contains(OptimizerSearchSpace.EndFactor));
        Assert.Equal(["cosine"], space[OptimizerSearchSpace.DecayPeriod].Condition!.Values);
        var lr = Assert.IsType<FloatDistribution>(space[OptimizerSearchSpace.LearningRate].Distribution);
        Assert.Equal((1e-3, 1e-2), (lr.Low, lr.High));
        Assert.Equal(64, Assert.IsType<IntDistribution>(space[OptimizerSearchSpace.BatchSize].Distribution).High);
    }

    [Fact]
    public void Create_OnlyAdamW_KeepsBetasConditionalOnAdamWAlone()
    {
        var options = new OptimizerSearchSpaceOptions();
        options.Optimizers.Clear();
        options.Optimizers.Add(OptimizerKind.AdamW);

        SearchSpace space = OptimizerSearchSpace.Create(options);

        Assert.Equal(["adamw"], space[OptimizerSearchSpace.Beta1].Condition!.Values);
        Assert.False(space.Contains(OptimizerSearchSpace.Momentum));
    }

    [Fact]
    public void AddOptimizer_NextToOwnParameters_KeepsBoth()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddInt("hidden", 4, 64, log: true)
            .AddCategorical("activation", "relu", "tanh")
            .AddOptimizer()
            .Build();

        Assert.True(space.Contains("hidden"));
        Assert.True(space.Contains("activation"));
        Assert.Equal(2 + OptimizerSearchSpace.ParameterNames.Count, space.Count);
    }

    [Fact]
    public void AddOptimizer_NameAlreadyUsed_Throws()
    {
        var builder = new SearchSpaceBuilder().AddFloat(OptimizerSearchSpace.LearningRate, 0.1, 1);

        Assert.Throws<ArgumentException>(() => builder.AddOptimizer());
    }

    [Fact]
    public void Create_InvalidOptions_ListsEveryProblem()
    {
        var options = new OptimizerSearchSpaceOptions { Momentum = new FloatDistribution(0.5, 1.5) };
        options.Optimizers.Clear();
        options.PiecewiseBoundaries.Add("0.7,0.2");

        var e = Assert.Throws<ArgumentException>(() => OptimizerSearchSpace.Create(options));

        Assert.Contains("'OptimizerSearchSpaceOptions' are invalid", e.Message, StringComparison.Ordinal);
        Assert.Contains("Optimizers", e.Message, StringComparison.Ordinal);
        Assert.Contains("Momentum", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.7,0.2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Default_RoundTripsThroughJson()
    {
        SearchSpace space = OptimizerSearchSpace.Create();

        Assert.Equal(space, SearchSpace.FromJson(space.ToJson()));
    }

    [Property(MaxTest = 30)]
    public void Create_RandomProposals_GiveSettingsWithANonIncreasingPositiveSchedule(int seed)
    {
        SearchSpace space = OptimizerSearchSpace.Create();
        ITuner tuner = new RandomSearchTuner();
        for (int number = 0; number < 5; number++)
        {
            var context = new TunerContext(space, Array.Empty<TrialRecord>(), [StudyDirection.Minimize], number, seed);
            IReadOnlyDictionary<string, object> proposal = space.Validate(tuner.Propose(context));

            var settings = OptimizerSettings.FromParameters(proposal);
            var schedule = settings.CreateSchedule(200);

            Assert.Equal(proposal[OptimizerSearchSpace.Optimizer], OptimizerSearchSpace.NameOf(settings.Optimizer));
            Assert.Equal(proposal[OptimizerSearchSpace.Decay], OptimizerSearchSpace.NameOf(settings.Decay));
            Assert.InRange(settings.BatchSize, 8, 256);
            double previous = settings.LearningRate;
            for (long step = 0; step < 200; step += 7)
            {
                double rate = schedule.LearningRateAt(step);
                Assert.True(rate > 0 && rate <= previous * (1 + 1e-12), $"step {step}: {rate} after {previous} ({settings})");
                previous = rate;
            }
        }
    }
}
