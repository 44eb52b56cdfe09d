using Hpo.Pruners;
using Hpo.Pruners.Hyperband;
using Hpo.Pruners.Median;
using Hpo.Pruners.Percentile;
using Hpo.Pruners.SuccessiveHalving;

namespace Hpo.Tests.Pruners;

public sealed class PrunerRegistryTests
{
    public static TheoryData<IPruner> BuiltIns => new()
    {
        new MedianPruner(new MedianPrunerOptions { WarmupSteps = 3, StartupTrials = 2 }),
        new PercentilePruner(new PercentilePrunerOptions { Percentile = 10, Interval = 2 }),
        new SuccessiveHalvingPruner(new SuccessiveHalvingPrunerOptions { ReductionFactor = 2, MaxResource = 16 }),
        new HyperbandPruner(new HyperbandPrunerOptions { MinResource = 2, MaxResource = 54 }),
    };

    [Theory]
    [InlineData("median", typeof(MedianPruner))]
    [InlineData("Percentile", typeof(PercentilePruner))]
    [InlineData("ASHA", typeof(SuccessiveHalvingPruner))]
    [InlineData("hyperband", typeof(HyperbandPruner))]
    public void Create_BuiltInName_BuildsThatPrunerIgnoringCase(string name, Type expected)
    {
        IPruner pruner = PrunerRegistry.Create(name);

        Assert.IsType(expected, pruner);
        Assert.Equal(name.ToLowerInvariant(), pruner.Name);
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Create_StoredSettings_RebuildsAnEquivalentPruner(IPruner original)
    {
        IPruner rebuilt = PrunerRegistry.Create(original.Name, original.Settings);

        Assert.Equal(original.GetType(), rebuilt.GetType());
        Assert.Equal(original.Settings, rebuilt.Settings);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    public void Create_EmptySettings_UsesTheDefaults(string settings)
    {
        Assert.Equal(new MedianPruner().Settings, PrunerRegistry.Create("median", settings).Settings);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingTheRegisteredNames()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PrunerRegistry.Create("patience"));

        Assert.Equal("name", e.ParamName);
        Assert.Contains("No pruner is registered under the name 'patience'", e.Message, StringComparison.Ordinal);
        Assert.Contains("asha, hyperband, median, percentile", e.Message, StringComparison.Ordinal);
        Assert.Contains("PrunerRegistry.Register", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_CustomPruner_IsCreatedByNameWithItsSettings()
    {
        const string Name = "test-registry-custom-pruner";

        PrunerRegistry.Register(Name, settings => new FixedPruner(settings));
        IPruner pruner = PrunerRegistry.Create(Name, "{\"x\":1}");

        Assert.Equal("{\"x\":1}", Assert.IsType<FixedPruner>(pruner).Settings);
        Assert.Contains(Name, PrunerRegistry.Names);
    }

    [Fact]
    public void Register_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => PrunerRegistry.Register(" ", _ => new FixedPruner("{}")));
        Assert.Throws<ArgumentNullException>(() => PrunerRegistry.Register("test-registry-null-pruner", null!));
        Assert.Throws<ArgumentNullException>(() => PrunerRegistry.Create(null!));
    }

    [Fact]
    public void Names_AreSortedOrdinally()
    {
        IReadOnlyCollection<string> names = PrunerRegistry.Names;

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    private sealed class FixedPruner(string settings) : PrunerBase
    {
        public override string Name => "fixed";

        public override string Settings => settings;

        public override bool ShouldPrune(PruningContext context) => false;
    }
}
