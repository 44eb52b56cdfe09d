using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;
using Hpo.Registries;

namespace Hpo.Tests.Tuners;

public class TunerRegistryTests
{
    [Theory]
    [InlineData("random")]
    [InlineData("Random")]
    [InlineData("RANDOM")]
    public void Create_Random_BuildsRandomSearchIgnoringCase(string name)
    {
        ITuner tuner = TunerRegistry.Default.Create(name);

        Assert.IsType<RandomSearchTuner>(tuner);
        Assert.Equal("random", tuner.Name);
    }

    [Fact]
    public void Create_StoredSettings_RebuildsAnEquivalentTuner()
    {
        var original = new RandomSearchTuner(new RandomSearchTunerOptions { AvoidRepeats = false });

        ITuner rebuilt = TunerRegistry.Default.Create(original.Name, original.Settings);

        Assert.Equal(original.Settings, rebuilt.Settings);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{}")]
    public void Create_EmptySettings_UsesTheDefaults(string settings)
    {
        ITuner tuner = TunerRegistry.Default.Create("random", settings);

        Assert.Equal(new RandomSearchTuner().Settings, tuner.Settings);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingTheRegisteredNames()
    {
        var e = Assert.Throws<ArgumentException>(() => TunerRegistry.Default.Create("bayes-magic"));

        Assert.Equal("name", e.ParamName);
        Assert.Contains("No tuner is registered under the name 'bayes-magic'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Registered: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("random", e.Message, StringComparison.Ordinal);
        Assert.Contains("Register on the registry the study is opened with (TunerRegistry.Default, unless StudyOptions.TunerRegistry names another)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NullName_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TunerRegistry.Default.Create(null!));
    }

    [Fact]
    public void Register_CustomTuner_IsCreatedByNameWithItsSettings()
    {
        var registry = new TunerRegistry();
        const string Name = "test-registry-custom-tuner";
        string? received = null;

        registry.Register(Name, settings =>
        {
            received = settings;
            return new FixedTuner(settings);
        });
        ITuner tuner = registry.Create(Name, "{\"x\":1}");

        Assert.Equal("{\"x\":1}", received);
        Assert.Equal("{\"x\":1}", Assert.IsType<FixedTuner>(tuner).Settings);
        Assert.Contains(Name, registry.Names);
        Assert.Contains("random", registry.Names);
    }

    [Fact]
    public void Register_SameNameAgain_ReplacesTheFactory()
    {
        var registry = new TunerRegistry();
        const string Name = "test-registry-replaced-tuner";
        registry.Register(Name, _ => new FixedTuner("first"));

        registry.Register(Name, _ => new FixedTuner("second"));

        Assert.Equal("second", registry.Create(Name).Settings);
    }

    [Fact]
    public void Register_InvalidArguments_Throw()
    {
        var registry = new TunerRegistry();
        Assert.Throws<ArgumentException>(() => registry.Register(" ", _ => new FixedTuner("{}")));
        Assert.Throws<ArgumentNullException>(() => registry.Register(null!, _ => new FixedTuner("{}")));
        Assert.Throws<ArgumentNullException>(() => registry.Register("test-registry-null-factory", null!));
    }

    [Fact]
    public void Names_AreSortedOrdinally()
    {
        var registry = new TunerRegistry();
        registry.Register("test-registry-aaa", _ => new FixedTuner("{}"));

        IReadOnlyCollection<string> names = registry.Names;

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }


    [Fact]
    public void Register_OnAnInstance_IsNotSeenByTheDefaultOrAnotherInstance()
    {
        const string Name = "test-registry-isolated-tuner";
        var registry = new TunerRegistry();
        var other = new TunerRegistry();

        registry.Register(Name, settings => new FixedTuner(settings));

        Assert.True(registry.Contains(Name));
        Assert.False(other.Contains(Name));
        Assert.False(TunerRegistry.Default.Contains(Name));
        ArgumentException e = Assert.Throws<ArgumentException>(() => other.Create(Name));
        Assert.Contains(Name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CopyOfARegistry_KeepsItsRegistrationsButNotLaterOnes()
    {
        var source = new TunerRegistry();
        source.Register("test-registry-before-copy", settings => new FixedTuner(settings));

        var copy = new TunerRegistry(source);
        source.Register("test-registry-after-copy", settings => new FixedTuner(settings));

        Assert.True(copy.Contains("test-registry-before-copy"));
        Assert.True(copy.Contains("random"));
        Assert.False(copy.Contains("test-registry-after-copy"));
        Assert.Throws<ArgumentNullException>(() => new TunerRegistry(null!));
    }

    private sealed class FixedTuner(string settings) : TunerBase
    {
        public override string Name => "fixed";

        public override string Settings => settings;

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context) => new Dictionary<string, object>();
    }
}
