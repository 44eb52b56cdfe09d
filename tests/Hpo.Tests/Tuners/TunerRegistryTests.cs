using Hpo.Tuners;
using Hpo.Tuners.RandomSearch;

namespace Hpo.Tests.Tuners;

public class TunerRegistryTests
{
    [Theory]
    [InlineData("random")]
    [InlineData("Random")]
    [InlineData("RANDOM")]
    public void Create_Random_BuildsRandomSearchIgnoringCase(string name)
    {
        ITuner tuner = TunerRegistry.Create(name);

        Assert.IsType<RandomSearchTuner>(tuner);
        Assert.Equal("random", tuner.Name);
    }

    [Fact]
    public void Create_StoredSettings_RebuildsAnEquivalentTuner()
    {
        var original = new RandomSearchTuner(new RandomSearchTunerOptions { AvoidRepeats = false });

        ITuner rebuilt = TunerRegistry.Create(original.Name, original.Settings);

        Assert.Equal(original.Settings, rebuilt.Settings);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{}")]
    public void Create_EmptySettings_UsesTheDefaults(string settings)
    {
        ITuner tuner = TunerRegistry.Create("random", settings);

        Assert.Equal(new RandomSearchTuner().Settings, tuner.Settings);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingTheRegisteredNames()
    {
        var e = Assert.Throws<ArgumentException>(() => TunerRegistry.Create("bayes-magic"));

        Assert.Equal("name", e.ParamName);
        Assert.Contains("No tuner is registered under the name 'bayes-magic'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Registered: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("random", e.Message, StringComparison.Ordinal);
        Assert.Contains("TunerRegistry.Register", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NullName_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TunerRegistry.Create(null!));
    }

    [Fact]
    public void Register_CustomTuner_IsCreatedByNameWithItsSettings()
    {
        const string Name = "test-registry-custom-tuner";
        string? received = null;

        TunerRegistry.Register(Name, settings =>
        {
            received = settings;
            return new FixedTuner(settings);
        });
        ITuner tuner = TunerRegistry.Create(Name, "{\"x\":1}");

        Assert.Equal("{\"x\":1}", received);
        Assert.Equal("{\"x\":1}", Assert.IsType<FixedTuner>(tuner).Settings);
        Assert.Contains(Name, TunerRegistry.Names);
        Assert.Contains("random", TunerRegistry.Names);
    }

    [Fact]
    public void Register_SameNameAgain_ReplacesTheFactory()
    {
        const string Name = "test-registry-replaced-tuner";
        TunerRegistry.Register(Name, _ => new FixedTuner("first"));

        TunerRegistry.Register(Name, _ => new FixedTuner("second"));

        Assert.Equal("second", TunerRegistry.Create(Name).Settings);
    }

    [Fact]
    public void Register_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => TunerRegistry.Register(" ", _ => new FixedTuner("{}")));
        Assert.Throws<ArgumentNullException>(() => TunerRegistry.Register(null!, _ => new FixedTuner("{}")));
        Assert.Throws<ArgumentNullException>(() => TunerRegistry.Register("test-registry-null-factory", null!));
    }

    [Fact]
    public void Names_AreSortedOrdinally()
    {
        TunerRegistry.Register("test-registry-aaa", _ => new FixedTuner("{}"));

        IReadOnlyCollection<string> names = TunerRegistry.Names;

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    private sealed class FixedTuner(string settings) : TunerBase
    {
        public override string Name => "fixed";

        public override string Settings => settings;

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context) => new Dictionary<string, object>();
    }
}
