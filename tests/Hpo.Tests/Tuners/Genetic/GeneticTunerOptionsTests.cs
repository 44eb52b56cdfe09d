using Hpo.Tuners.Genetic;

namespace Hpo.Tests.Tuners.Genetic;

public class GeneticTunerOptionsTests
{
    [Fact]
    public void Defaults_AreValidAndDocumented()
    {
        var options = new GeneticTunerOptions();

        Assert.Equal(10, options.PopulationSize);
        Assert.Equal(3, options.TournamentSize);
        Assert.Equal(0.9, options.CrossoverRate);
        Assert.Equal(0.5, options.MutationRate);
        Assert.Equal(1.0, options.MutationScale);
        Assert.Null(options.Seed);
        _ = new GeneticTuner(options);
    }

    [Theory]
    [InlineData(nameof(GeneticTunerOptions.PopulationSize), "PopulationSize must be at least 2, but got 1.")]
    [InlineData(nameof(GeneticTunerOptions.TournamentSize), "TournamentSize must be at least 1, but got 0.")]
    [InlineData("TournamentAbovePopulation", "TournamentSize must not exceed PopulationSize (10), but got 11.")]
    [InlineData(nameof(GeneticTunerOptions.CrossoverRate), "CrossoverRate must be between 0 and 1, but got 1.5.")]
    [InlineData(nameof(GeneticTunerOptions.MutationRate), "MutationRate must be between 0 and 1, but got -0.1.")]
    [InlineData(nameof(GeneticTunerOptions.MutationScale), "MutationScale must be a positive finite number, but got 0.")]
    public void Constructor_OneInvalidOption_ThrowsNamingIt(string property, string expected)
    {
        var options = new GeneticTunerOptions();
        switch (property)
        {
            case "PopulationSize": options.PopulationSize = 1; break;
            case "TournamentSize": options.TournamentSize = 0; break;
            case "TournamentAbovePopulation": options.TournamentSize = 11; break;
            case "CrossoverRate": options.CrossoverRate = 1.5; break;
            case "MutationRate": options.MutationRate = -0.1; break;
            default: options.MutationScale = 0; break;
        }

        ArgumentException e = Assert.Throws<ArgumentException>(() => new GeneticTuner(options));

        Assert.Equal($"The 'GeneticTunerOptions' are invalid.{Environment.NewLine}- {expected}", e.Message);
    }

    [Fact]
    public void Constructor_SeveralInvalidOptions_ListsEveryProblemInOneException()
    {
        var options = new GeneticTunerOptions { PopulationSize = 0, CrossoverRate = double.NaN, MutationScale = double.PositiveInfinity };

        ArgumentException e = Assert.Throws<ArgumentException>(() => new GeneticTuner(options));

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'GeneticTunerOptions' are invalid.", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains("- PopulationSize must be at least 2, but got 0.", lines);
        Assert.Contains("- CrossoverRate must be between 0 and 1, but got NaN.", lines);
        Assert.Contains("- MutationScale must be a positive finite number, but got Infinity.", lines);
    }

    [Fact]
    public void FromJson_MissingMembers_TakeTheDefaults()
    {
        GeneticTunerOptions options = GeneticTunerOptions.FromJson("{\"PopulationSize\":20,\"Seed\":4}");

        Assert.Equal(20, options.PopulationSize);
        Assert.Equal(4, options.Seed);
        Assert.Equal(3, options.TournamentSize);
        Assert.Equal(0.5, options.MutationRate);
    }
}
