using Hpo.Pruners;
using Hpo.Pruners.Percentile;
using Hpo.Registries;

namespace Hpo.Tests.Pruners.Percentile;

public sealed class PercentilePrunerOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new PercentilePrunerOptions();

        Assert.Equal(25.0, options.Percentile);
        Assert.Equal(5, options.StartupTrials);
        Assert.Equal(0, options.WarmupSteps);
        Assert.Equal(1, options.Interval);
        Assert.Equal(1, options.MinReferenceTrials);
        Assert.True(options.CompareBestSoFar);
        options.Validate();
    }

    [Fact]
    public void Validate_EveryProblem_ListsOneLinePerProblem()
    {
        var options = new PercentilePrunerOptions { Percentile = 100.5, StartupTrials = -1, WarmupSteps = -2, Interval = -3, MinReferenceTrials = -4 };

        ArgumentException e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(
            [
                "The 'PercentilePrunerOptions' are invalid.",
                "- Percentile must be between 0 and 100, but got 100.5.",
                "- StartupTrials must be zero or more, but got -1.",
                "- WarmupSteps must be zero or more, but got -2.",
                "- Interval must be at least 1, but got -3.",
                "- MinReferenceTrials must be at least 1, but got -4.",
            ],
            e.Message.Split(Environment.NewLine));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(-0.1, "-0.1")]
    public void Validate_PercentileOutOfRange_NamesTheValue(double percentile, string shown)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(new PercentilePrunerOptions { Percentile = percentile }.Validate);

        Assert.Contains($"- Percentile must be between 0 and 100, but got {shown}.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(100.0)]
    public void Validate_PercentileAtTheBounds_IsValid(double percentile)
    {
        new PercentilePrunerOptions { Percentile = percentile }.Validate();
    }

    [Fact]
    public void FromJson_ToJson_RoundTrips()
    {
        var options = new PercentilePrunerOptions { Percentile = 12.5, StartupTrials = 1, WarmupSteps = 2, Interval = 3, MinReferenceTrials = 4, CompareBestSoFar = false };

        Assert.Equal(options.ToJson(), PercentilePrunerOptions.FromJson(options.ToJson()).ToJson());
    }

    [Fact]
    public void FromJson_Empty_GivesTheDefaults()
    {
        Assert.Equal(new PercentilePrunerOptions().ToJson(), PercentilePrunerOptions.FromJson("{}").ToJson());
        Assert.Equal(new PercentilePrunerOptions().ToJson(), PercentilePrunerOptions.FromJson(" ").ToJson());
    }

    [Fact]
    public void FromJson_UnknownProperty_ThrowsFormatException()
    {
        FormatException e = Assert.Throws<FormatException>(() => PercentilePrunerOptions.FromJson("""{"Percent":10}"""));

        Assert.StartsWith("The settings of pruner 'percentile' are not valid:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrunerRegistry_StoredOutOfRangeSettings_ThrowTheValidationMessage()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PrunerRegistry.Default.Create("percentile", """{"Percentile":101}"""));

        Assert.Contains("Percentile must be between 0 and 100, but got 101.", e.Message, StringComparison.Ordinal);
    }
}
