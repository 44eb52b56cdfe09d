using Hpo.TorchSharp.Optimizers;
using static TorchSharp.torch;

namespace Hpo.TorchSharp.Tests.Optimizers;

public class LearningRateScheduleTests
{
    [Fact]
    public void LearningRateAt_None_IsConstant()
    {
        var schedule = new OptimizerSettings { LearningRate = 0.1 }.CreateSchedule(100);

        Assert.All(new long[] { 0, 50, 99, 500 }, s => Assert.Equal(0.1, schedule.LearningRateAt(s)));
    }

    [Theory]
    [InlineData(false, 0, 0.1)]
    [InlineData(false, 25, 0.05)]
    [InlineData(false, 50, 0.025)]
    [InlineData(true, 24, 0.1)]
    [InlineData(true, 25, 0.05)]
    [InlineData(true, 74, 0.025)]
    public void LearningRateAt_Exponential_MultipliesByTheRateEachPeriod(bool staircase, long step, double expected)
    {
        var settings = new OptimizerSettings { LearningRate = 0.1, Decay = LearningRateDecayKind.Exponential, DecayRate = 0.5, DecayPeriod = 0.25, Staircase = staircase };

        Assert.Equal(expected, settings.CreateSchedule(100).LearningRateAt(step), 12);
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(25, 0.01 + (0.09 * 0.25))]
    [InlineData(50, 0.01)]
    [InlineData(90, 0.01)]
    public void LearningRateAt_Polynomial_FallsToTheEndRateOverThePeriod(long step, double expected)
    {
        var settings = new OptimizerSettings { LearningRate = 0.1, Decay = LearningRateDecayKind.Polynomial, DecayPeriod = 0.5, EndFactor = 0.1, Power = 2 };

        Assert.Equal(expected, settings.CreateSchedule(100).LearningRateAt(step), 12);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(32, 1.0)]
    [InlineData(33, 0.1)]
    [InlineData(66, 0.1)]
    [InlineData(67, 0.01)]
    [InlineData(99, 0.01)]
    public void LearningRateAt_PiecewiseConstant_MultipliesAtEachBoundary(long step, double expected)
    {
        var settings = new OptimizerSettings { LearningRate = 1, Decay = LearningRateDecayKind.PiecewiseConstant, PiecewiseBoundaries = [0.33, 0.67], PiecewiseFactor = 0.1 };

        Assert.Equal(expected, settings.CreateSchedule(100).LearningRateAt(step), 12);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(50, 0.55)]
    [InlineData(100, 0.1)]
    [InlineData(150, 0.1)]
    public void LearningRateAt_Cosine_FollowsHalfACosineToTheEndRate(long step, double expected)
    {
        var settings = new OptimizerSettings { LearningRate = 1, Decay = LearningRateDecayKind.Cosine, DecayPeriod = 1, EndFactor = 0.1 };

        Assert.Equal(expected, settings.CreateSchedule(100).LearningRateAt(step), 12);
    }

    [Fact]
    public void Apply_SetsEveryParameterGroupsRate()
    {
        var settings = new OptimizerSettings { Optimizer = OptimizerKind.Sgd, LearningRate = 1, Decay = LearningRateDecayKind.Exponential, DecayRate = 0.5, DecayPeriod = 0.1 };
        using var model = nn.Linear(2, 1);
        using optim.Optimizer optimizer = settings.CreateOptimizer(model.parameters());

        double rate = settings.CreateSchedule(10).Apply(optimizer, 2);

        Assert.Equal(0.25, rate, 12);
        Assert.Equal(0.25, optimizer.ParamGroups.Single().LearningRate, 12);
    }

    [Fact]
    public void Constructor_NoSteps_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerSettings().CreateSchedule(0));
    }
}
