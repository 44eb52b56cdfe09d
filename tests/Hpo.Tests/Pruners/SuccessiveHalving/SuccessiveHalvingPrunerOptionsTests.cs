using Hpo.Pruners;
using Hpo.Pruners.SuccessiveHalving;
using Hpo.Registries;

namespace Hpo.Tests.Pruners.SuccessiveHalving;

public sealed class SuccessiveHalvingPrunerOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new SuccessiveHalvingPrunerOptions();

        Assert.Equal(1, options.MinResource);
        Assert.Equal(3, options.ReductionFactor);
        Assert.Equal(0, options.MinEarlyStoppingRate);
        Assert.Null(options.MaxResource);
        options.Validate();
    }

    [Fact]
    public void Validate_EveryProblem_ListsOneLinePerProblem()
    {
        var options = new SuccessiveHalvingPrunerOptions { MinResource = 0, ReductionFactor = 1, MinEarlyStoppingRate = -1, MaxResource = -5 };

        ArgumentException e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(
            [
                "The 'SuccessiveHalvingPrunerOptions' are invalid.",
                "- MinResource must be at least 1, but got 0.",
                "- ReductionFactor must be at least 2, but got 1.",
                "- MaxResource must be null or at least MinResource (0), but got -5.",
                "- MinEarlyStoppingRate must be zero or more, but got -1.",
            ],
            e.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void Validate_MaxResourceBelowMinResource_IsInvalid()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(new SuccessiveHalvingPrunerOptions { MinResource = 4, MaxResource = 3 }.Validate);

        Assert.Contains("- MaxResource must be null or at least MinResource (4), but got 3.", e.Message, StringComparison.Ordinal);
        new SuccessiveHalvingPrunerOptions { MinResource = 4, MaxResource = 4 }.Validate();
    }

    [Fact]
    public void FromJson_ToJson_RoundTrips()
    {
        var options = new SuccessiveHalvingPrunerOptions { MinResource = 2, ReductionFactor = 4, MinEarlyStoppingRate = 1, MaxResource = 128 };

        Assert.Equal(options.ToJson(), SuccessiveHalvingPrunerOptions.FromJson(options.ToJson()).ToJson());
        Assert.Null(SuccessiveHalvingPrunerOptions.FromJson(new SuccessiveHalvingPrunerOptions().ToJson()).MaxResource);
    }

    [Fact]
    public void FromJson_InvalidSettings_ThrowsFormatException()
    {
        FormatException e = Assert.Throws<FormatException>(() => SuccessiveHalvingPrunerOptions.FromJson("""{"ReductionFactor":2.5}"""));

        Assert.StartsWith("The settings of pruner 'asha' are not valid:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrunerRegistry_StoredOutOfRangeSettings_ThrowTheValidationMessage()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PrunerRegistry.Default.Create("asha", """{"ReductionFactor":1}"""));

        Assert.Contains("ReductionFactor must be at least 2, but got 1.", e.Message, StringComparison.Ordinal);
    }
}
