using Hpo.Tuners.SimulatedAnnealing;

namespace Hpo.Tests.Tuners.SimulatedAnnealing;

public class SimulatedAnnealingTunerOptionsTests
{
    [Fact]
    public void Defaults_AreValidAndDocumented()
    {
        var options = new SimulatedAnnealingTunerOptions();

        Assert.Equal(1.0, options.InitialTemperature);
        Assert.Equal(0.01, options.FinalTemperature);
        Assert.Equal(AnnealingSchedule.Exponential, options.Schedule);
        Assert.Equal(100, options.OpenEndedCycle);
        Assert.Equal(0.2, options.StepScale);
        Assert.Equal(5, options.InitialTrials);
        Assert.Null(options.RestartPatience);
        Assert.Null(options.Seed);
        _ = new SimulatedAnnealingTuner(options);
    }

    [Theory]
    [InlineData(nameof(SimulatedAnnealingTunerOptions.InitialTemperature), "InitialTemperature must be a positive finite number, but got 0.")]
    [InlineData(nameof(SimulatedAnnealingTunerOptions.FinalTemperature), "FinalTemperature must be a positive finite number, but got -1.")]
    [InlineData("FinalAboveInitial", "FinalTemperature must not exceed InitialTemperature (1), but got 2.")]
    [InlineData(nameof(SimulatedAnnealingTunerOptions.Schedule), "Schedule must be Exponential or Linear, but got 7.")]
    [InlineData(nameof(SimulatedAnnealingTunerOptions.OpenEndedCycle), "OpenEndedCycle must be at least 1, but got 0.")]
    [InlineData(nameof(SimulatedAnnealingTunerOptions.StepScale), "StepScale must be greater than 0 and at most 1, but got 1.5.")]
    [InlineData(nameof(SimulatedAnnealingTunerOptions.InitialTrials), "InitialTrials must be at least 1, but got 0.")]
    [InlineData(nameof(SimulatedAnnealingTunerOptions.RestartPatience), "RestartPatience must be 0 (no restarts), positive, or null (automatic), but got -3.")]
    public void Constructor_OneInvalidOption_ThrowsNamingIt(string property, string expected)
    {
        var options = new SimulatedAnnealingTunerOptions();
        switch (property)
        {
            case "InitialTemperature": options.InitialTemperature = 0; break;
            case "FinalTemperature": options.FinalTemperature = -1; break;
            case "FinalAboveInitial": options.FinalTemperature = 2; break;
            case "Schedule": options.Schedule = (AnnealingSchedule)7; break;
            case "OpenEndedCycle": options.OpenEndedCycle = 0; break;
            case "StepScale": options.StepScale = 1.5; break;
            case "InitialTrials": options.InitialTrials = 0; break;
            default: options.RestartPatience = -3; break;
        }

        ArgumentException e = Assert.Throws<ArgumentException>(() => new SimulatedAnnealingTuner(options));

        Assert.Equal($"The 'SimulatedAnnealingTunerOptions' are invalid.{Environment.NewLine}- {expected}", e.Message);
    }

    [Fact]
    public void Constructor_SeveralInvalidOptions_ListsEveryProblemInOneException()
    {
        var options = new SimulatedAnnealingTunerOptions { InitialTemperature = double.NaN, StepScale = 0, InitialTrials = -1 };

        ArgumentException e = Assert.Throws<ArgumentException>(() => new SimulatedAnnealingTuner(options));

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'SimulatedAnnealingTunerOptions' are invalid.", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains("- InitialTemperature must be a positive finite number, but got NaN.", lines);
        Assert.Contains("- StepScale must be greater than 0 and at most 1, but got 0.", lines);
        Assert.Contains("- InitialTrials must be at least 1, but got -1.", lines);
    }

    [Fact]
    public void FromJson_MissingMembers_TakeTheDefaults()
    {
        SimulatedAnnealingTunerOptions options = SimulatedAnnealingTunerOptions.FromJson("{\"StepScale\":0.5,\"Schedule\":\"linear\"}");

        Assert.Equal(0.5, options.StepScale);
        Assert.Equal(AnnealingSchedule.Linear, options.Schedule);
        Assert.Equal(1.0, options.InitialTemperature);
        Assert.Null(options.RestartPatience);
    }

    [Fact]
    public void FromJson_UnknownSchedule_ThrowsNamingIt()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SimulatedAnnealingTunerOptions.FromJson("{\"Schedule\":\"cosine\"}"));

        Assert.StartsWith("The stored setting Schedule must be Exponential or Linear, but got 'cosine'.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"Schedule\":\"1\"}", "'1'")]
    [InlineData("{\"Schedule\":1}", "'Number'")]
    public void FromJson_ScheduleNotAName_ThrowsNamingIt(string json, string shown)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SimulatedAnnealingTunerOptions.FromJson(json));

        Assert.StartsWith($"The stored setting Schedule must be Exponential or Linear, but got {shown}.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Defaults_AreTheStoredFormat()
    {
        // Studies store this text: it must stay readable by every later release.
        Assert.Equal(
            "{\"InitialTemperature\":1,\"FinalTemperature\":0.01,\"Schedule\":\"Exponential\",\"OpenEndedCycle\":100,\"StepScale\":0.2,\"InitialTrials\":5,\"RestartPatience\":null,\"Seed\":null}",
            new SimulatedAnnealingTunerOptions().ToJson());
    }

    [Fact]
    public void FromJson_ToJsonOfEverySetting_RoundTrips()
    {
        var options = new SimulatedAnnealingTunerOptions
        {
            InitialTemperature = 2.5, FinalTemperature = 0.125, Schedule = AnnealingSchedule.Linear, OpenEndedCycle = 40,
            StepScale = 0.3, InitialTrials = 7, RestartPatience = 0, Seed = -3,
        };

        SimulatedAnnealingTunerOptions back = SimulatedAnnealingTunerOptions.FromJson(options.ToJson());

        Assert.Equal(options.ToJson(), back.ToJson());
        Assert.Equal(AnnealingSchedule.Linear, back.Schedule);
        Assert.Equal(0, back.RestartPatience);
        Assert.Equal(-3, back.Seed);
    }
}
