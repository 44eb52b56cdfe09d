using Hpo.Pruners;
using Hpo.Pruners.Median;
using Hpo.Registries;

namespace Hpo.Tests.Pruners.Median;

public sealed class MedianPrunerOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new MedianPrunerOptions();

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
        var options = new MedianPrunerOptions { StartupTrials = -1, WarmupSteps = -2, Interval = 0, MinReferenceTrials = 0 };

        ArgumentException e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(
            [
                "The 'MedianPrunerOptions' are invalid.",
                "- StartupTrials must be zero or more, but got -1.",
                "- WarmupSteps must be zero or more, but got -2.",
                "- Interval must be at least 1, but got 0.",
                "- MinReferenceTrials must be at least 1, but got 0.",
            ],
            e.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void FromJson_ToJson_RoundTrips()
    {
        var options = new MedianPrunerOptions { StartupTrials = 0, WarmupSteps = 7, Interval = 2, MinReferenceTrials = 3, CompareBestSoFar = false };

        MedianPrunerOptions back = MedianPrunerOptions.FromJson(options.ToJson());

        Assert.Equal(options.ToJson(), back.ToJson());
    }

    [Fact]
    public void FromJson_MissingProperties_TakeTheDefaults()
    {
        MedianPrunerOptions options = MedianPrunerOptions.FromJson("""{"WarmupSteps":4}""");

        Assert.Equal(4, options.WarmupSteps);
        Assert.Equal(new MedianPrunerOptions { WarmupSteps = 4 }.ToJson(), options.ToJson());
    }

    [Theory]
    [InlineData("""{"Warmup":4}""")]
    [InlineData("""{"WarmupSteps":"four"}""")]
    [InlineData("not json")]
    public void FromJson_InvalidSettings_ThrowsFormatExceptionNamingThePruner(string json)
    {
        FormatException e = Assert.Throws<FormatException>(() => MedianPrunerOptions.FromJson(json));

        Assert.StartsWith("The settings of pruner 'median' are not valid:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrunerRegistry_StoredOutOfRangeSettings_ThrowTheValidationMessage()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PrunerRegistry.Default.Create("median", """{"Interval":-1}"""));

        Assert.Contains("Interval must be at least 1, but got -1.", e.Message, StringComparison.Ordinal);
    }
}
