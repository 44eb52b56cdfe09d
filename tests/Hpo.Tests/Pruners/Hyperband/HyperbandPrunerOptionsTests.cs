using Hpo.Pruners;
using Hpo.Pruners.Hyperband;
using Hpo.Registries;

namespace Hpo.Tests.Pruners.Hyperband;

public sealed class HyperbandPrunerOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new HyperbandPrunerOptions();

        Assert.Equal(1, options.MinResource);
        Assert.Null(options.MaxResource);
        Assert.Equal(3, options.ReductionFactor);
        options.Validate();
    }

    [Fact]
    public void Validate_EveryProblem_ListsOneLinePerProblem()
    {
        var options = new HyperbandPrunerOptions { MinResource = 10, MaxResource = 9, ReductionFactor = 0 };

        ArgumentException e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(
            [
                "The 'HyperbandPrunerOptions' are invalid.",
                "- ReductionFactor must be at least 2, but got 0.",
                "- MaxResource must be null or at least MinResource (10), but got 9.",
            ],
            e.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void Validate_MinResourceBelowOne_IsInvalid()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(new HyperbandPrunerOptions { MinResource = -1 }.Validate);

        Assert.Contains("- MinResource must be at least 1, but got -1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_ToJson_RoundTrips()
    {
        var options = new HyperbandPrunerOptions { MinResource = 3, MaxResource = 81, ReductionFactor = 3 };

        Assert.Equal(options.ToJson(), HyperbandPrunerOptions.FromJson(options.ToJson()).ToJson());
        Assert.Equal("""{"MinResource":3,"MaxResource":81,"ReductionFactor":3}""", options.ToJson());
    }

    [Fact]
    public void FromJson_InvalidSettings_ThrowsFormatException()
    {
        FormatException e = Assert.Throws<FormatException>(() => HyperbandPrunerOptions.FromJson("[1]"));

        Assert.StartsWith("The settings of pruner 'hyperband' are not valid:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrunerRegistry_StoredOutOfRangeSettings_ThrowTheValidationMessage()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PrunerRegistry.Default.Create("hyperband", """{"MinResource":0}"""));

        Assert.Contains("MinResource must be at least 1, but got 0.", e.Message, StringComparison.Ordinal);
    }
}
