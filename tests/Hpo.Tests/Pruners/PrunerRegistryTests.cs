using Hpo.Pruners;
using Hpo.Pruners.Hyperband;
using Hpo.Pruners.Median;
using Hpo.Pruners.Percentile;
using Hpo.Pruners.SuccessiveHalving;
using Hpo.Registries;

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
        IPruner pruner = PrunerRegistry.Default.Create(name);

        Assert.IsType(expected, pruner);
        Assert.Equal(name.ToLowerInvariant(), pruner.Name);
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Create_StoredSettings_RebuildsAnEquivalentPruner(IPruner original)
    {
        IPruner rebuilt = PrunerRegistry.Default.Create(original.Name, original.Settings);

        Assert.Equal(original.GetType(), rebuilt.GetType());
        Assert.Equal(original.Settings, rebuilt.Settings);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    public void Create_EmptySettings_UsesTheDefaults(string settings)
    {
        Assert.Equal(new MedianPruner().Settings, PrunerRegistry.Default.Create("median", settings).Settings);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingTheRegisteredNames()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PrunerRegistry.Default.Create("patience"));

        Assert.Equal("name", e.ParamName);
        Assert.Contains("No pruner is registered under the name 'patience'", e.Message, StringComparison.Ordinal);
        Assert.Contains("asha, hyperband, median, percentile", e.Message, StringComparison.Ordinal);
        Assert.Contains("Register on the registry the study is opened with (PrunerRegistry.Default, unless StudyOptions.PrunerRegistry names another)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_CustomPruner_IsCreatedByNameWithItsSettings()
    {
        var registry = new PrunerRegistry();
        const string Name = "test-registry-custom-pruner";

        registry.Register(Name, settings => new FixedPruner(settings));
        IPruner pruner = registry.Create(Name, "{\"x\":1}");

        Assert.Equal("{\"x\":1}", Assert.IsType<FixedPruner>(pruner).Settings);
        Assert.Contains(Name, registry.Names);
    }

    [Fact]
    public void Register_InvalidArguments_Throw()
    {
        var registry = new PrunerRegistry();
        Assert.Throws<ArgumentException>(() => registry.Register(" ", _ => new FixedPruner("{}")));
        Assert.Throws<ArgumentNullException>(() => registry.Register("test-registry-null-pruner", null!));
        Assert.Throws<ArgumentNullException>(() => registry.Create(null!));
    }

    [Fact]
    public void Names_AreSortedOrdinally()
    {
        var registry = new PrunerRegistry();
        IReadOnlyCollection<string> names = registry.Names;

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }


    [Fact]
    public void Register_OnAnInstance_IsNotSeenByTheDefaultOrAnotherInstance()
    {
        const string Name = "test-registry-isolated-pruner";
        var registry = new PrunerRegistry();
        var other = new PrunerRegistry();

        registry.Register(Name, settings => new FixedPruner(settings));

        Assert.True(registry.Contains(Name));
        Assert.False(other.Contains(Name));
        Assert.False(PrunerRegistry.Default.Contains(Name));
        ArgumentException e = Assert.Throws<ArgumentException>(() => other.Create(Name));
        Assert.Contains(Name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CopyOfARegistry_KeepsItsRegistrationsButNotLaterOnes()
    {
        var source = new PrunerRegistry();
        source.Register("test-registry-before-copy", settings => new FixedPruner(settings));

        var copy = new PrunerRegistry(source);
        source.Register("test-registry-after-copy", settings => new FixedPruner(settings));

        Assert.True(copy.Contains("test-registry-before-copy"));
        Assert.True(copy.Contains("median"));
        Assert.False(copy.Contains("test-registry-after-copy"));
        Assert.Throws<ArgumentNullException>(() => new PrunerRegistry(null!));
    }

    private sealed class FixedPruner(string settings) : PrunerBase
    {
        public override string Name => "fixed";

        public override string Settings => settings;

        public override bool ShouldPrune(PruningContext context) => false;
    }
}
