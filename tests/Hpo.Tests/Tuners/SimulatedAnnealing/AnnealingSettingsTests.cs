using Hpo.Tuners.SimulatedAnnealing;

namespace Hpo.Tests.Tuners.SimulatedAnnealing;

public class AnnealingSettingsTests
{
    private static readonly SimulatedAnnealingTunerOptions Exponential = new() { InitialTemperature = 2, FinalTemperature = 0.02, InitialTrials = 5, StepScale = 0.2 };

    [Fact]
    public void Temperature_WithABudget_FallsGeometricallyFromTheInitialToTheFinalValue()
    {
        var settings = new AnnealingSettings(Exponential, dimensions: 3, seed: 1, budget: 105);

        Assert.Equal(2, settings.Temperature(0), 12);
        Assert.Equal(2, settings.Temperature(5), 12);
        Assert.Equal(0.2, settings.Temperature(55), 12);
        Assert.Equal(0.02, settings.Temperature(105), 12);
        Assert.Equal(0.02, settings.Temperature(500), 12); // beyond the budget (more trials were run): stays cold
    }

    [Fact]
    public void Temperature_LinearSchedule_FallsByEqualAmounts()
    {
        var linear = new SimulatedAnnealingTunerOptions { InitialTemperature = 1, FinalTemperature = 0.2, Schedule = AnnealingSchedule.Linear, InitialTrials = 1 };
        var settings = new AnnealingSettings(linear, dimensions: 3, seed: 1, budget: 11);

        Assert.Equal(1.0, settings.Temperature(1), 12);
        Assert.Equal(0.6, settings.Temperature(6), 12);
        Assert.Equal(0.2, settings.Temperature(11), 12);
    }

    [Fact]
    public void Temperature_OpenEndedStudy_ReheatsAfterEachCycle()
    {
        var options = new SimulatedAnnealingTunerOptions { InitialTemperature = 1, FinalTemperature = 0.01, InitialTrials = 5, OpenEndedCycle = 50 };
        var settings = new AnnealingSettings(options, dimensions: 3, seed: 1, budget: null);

        Assert.Equal(1.0, settings.Temperature(5), 12);
        Assert.Equal(0.1, settings.Temperature(30), 12);
        Assert.True(settings.Temperature(54) < 0.011);
        Assert.Equal(1.0, settings.Temperature(55), 12);
        Assert.Equal(0.1, settings.Temperature(80), 12);
    }

    [Fact]
    public void Step_ShrinksWithTheSquareRootOfTheTemperature()
    {
        var settings = new AnnealingSettings(Exponential, dimensions: 3, seed: 1, budget: 105);

        Assert.Equal(0.2, settings.Step(5), 12);
        Assert.Equal(0.2 * Math.Sqrt(0.1), settings.Step(55), 12);
        Assert.Equal(0.02, settings.Step(105), 12);
    }

    [Fact]
    public void RestartPatience_Automatic_GrowsWithTheNumberOfParameters()
    {
        Assert.Equal(10, new AnnealingSettings(new SimulatedAnnealingTunerOptions(), dimensions: 2, seed: 1, budget: 50).RestartPatience);
        Assert.Equal(30, new AnnealingSettings(new SimulatedAnnealingTunerOptions(), dimensions: 10, seed: 1, budget: 50).RestartPatience);
        Assert.Equal(7, new AnnealingSettings(new SimulatedAnnealingTunerOptions { RestartPatience = 7 }, dimensions: 10, seed: 1, budget: 50).RestartPatience);
    }

    [Fact]
    public void Uniform_IsAPureFunctionOfSeedAndTrialNumber()
    {
        var a = new AnnealingSettings(Exponential, 3, seed: 1, budget: 105);
        var b = new AnnealingSettings(Exponential, 3, seed: 1, budget: 105);
        var c = new AnnealingSettings(Exponential, 3, seed: 2, budget: 105);
        double[] draws = [.. Enumerable.Range(0, 2000).Select(a.Uniform)];

        Assert.Equal(draws, Enumerable.Range(0, 2000).Select(b.Uniform));
        Assert.NotEqual(draws, Enumerable.Range(0, 2000).Select(c.Uniform));
        Assert.All(draws, u => Assert.InRange(u, 0.0, 1.0 - 1e-12));
        Assert.InRange(draws.Average(), 0.45, 0.55);
    }
}
