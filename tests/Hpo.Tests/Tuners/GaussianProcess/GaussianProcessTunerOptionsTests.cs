using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class GaussianProcessTunerOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        var options = new GaussianProcessTunerOptions();

        options.Validate();

        Assert.Equal(10, options.StartupTrials);
        Assert.Equal(2048, options.Candidates);
        Assert.Equal(5, options.Restarts);
        Assert.Null(options.Seed);
        Assert.False(options.DeterministicObjective);
    }

    [Fact]
    public void Validate_EveryOptionOutOfRange_ListsEachProblemInOneException()
    {
        var options = new GaussianProcessTunerOptions { StartupTrials = 0, Candidates = 3, Restarts = 0 };

        var e = Assert.Throws<ArgumentException>(options.Validate);

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'GaussianProcessTunerOptions' are invalid.", lines[0]);
        Assert.Equal(
            [
                "- StartupTrials must be between 1 and 10000, but got 0.",
                "- Candidates must be between 16 and 1000000, but got 3.",
                "- Restarts must be between 1 and 1000, but got 0.",
            ],
            lines[1..]);
    }

    [Theory]
    [InlineData(10_001, 2048, 5, "StartupTrials")]
    [InlineData(10, 1_000_001, 5, "Candidates")]
    [InlineData(10, 2048, 1001, "Restarts")]
    public void Validate_OneOptionTooLarge_NamesIt(int startup, int candidates, int restarts, string name)
    {
        var options = new GaussianProcessTunerOptions { StartupTrials = startup, Candidates = candidates, Restarts = restarts };

        var e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains($"- {name} must be between", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Message.Split(Environment.NewLine).Length);
    }
}
