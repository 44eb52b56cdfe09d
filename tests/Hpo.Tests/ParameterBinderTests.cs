using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Tests;

public class ParameterBinderTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder()
        .AddFloat("learning_rate", 1e-5, 1e-1, log: true)
        .AddInt("layers", 1, 4)
        .AddCategorical("optimizer", "sgd", "adam")
        .AddFloat("beta1", 0.8, 0.999, condition: ParameterCondition.When("optimizer", "adam"))
        .Build();

    public enum Optimizer
    {
        Sgd,
        Adam,
    }

    private static Dictionary<string, object> Adam() => new()
    {
        ["learning_rate"] = 0.01,
        ["layers"] = 3L,
        ["optimizer"] = "adam",
        ["beta1"] = 0.9,
    };

    private static Dictionary<string, object> Sgd() => new()
    {
        ["learning_rate"] = 0.001,
        ["layers"] = 2L,
        ["optimizer"] = "sgd",
    };

    [Fact]
    public void Bind_ClassWithSettableProperties_SetsEveryMatchingProperty()
    {
        SettableParameters p = ParameterBinder.Bind<SettableParameters>(Adam(), Space);

        Assert.Equal(0.01, p.LearningRate);
        Assert.Equal(3, p.Layers);
        Assert.Equal(Optimizer.Adam, p.Optimizer);
        Assert.Equal(0.9, p.Beta1);
    }

    [Fact]
    public void Bind_InactiveConditionalParameter_LeavesTheNullablePropertyNull()
    {
        SettableParameters p = ParameterBinder.Bind<SettableParameters>(Sgd(), Space);

        Assert.Null(p.Beta1);
        Assert.Equal(Optimizer.Sgd, p.Optimizer);
    }

    [Fact]
    public void Bind_PositionalRecord_UsesThePrimaryConstructor()
    {
        RecordParameters p = ParameterBinder.Bind<RecordParameters>(Adam(), Space);

        Assert.Equal(new RecordParameters(0.01, 3, "adam", 0.9), p);
    }

    [Fact]
    public void Bind_PositionalRecordWithInactiveParameter_PassesNullOrTheDefaultValue()
    {
        Assert.Null(ParameterBinder.Bind<RecordParameters>(Sgd(), Space).Beta1);
        Assert.Equal(0.95, ParameterBinder.Bind<RecordWithDefault>(Sgd(), Space).Beta1);
        Assert.Equal(0.9, ParameterBinder.Bind<RecordWithDefault>(Adam(), Space).Beta1);
    }

    [Fact]
    public void Bind_HpoParameterAttribute_MapsMembersToOtherNames()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("lr", 1e-4, 1).AddInt("n_layers", 1, 8).AddInt("batch", 8, 64).Build();
        var values = new Dictionary<string, object> { ["lr"] = 0.5, ["n_layers"] = 6L, ["batch"] = 32L };

        AttributedClass c = ParameterBinder.Bind<AttributedClass>(values, space);
        AttributedRecord r = ParameterBinder.Bind<AttributedRecord>(values, space);

        Assert.Equal(0.5, c.LearningRate);
        Assert.Equal(6, c.Depth);
        Assert.Equal(32L, c.Batch);
        Assert.Equal(new AttributedRecord(0.5, 6, 32), r);
    }

    [Theory]
    [InlineData("learning_rate")]
    [InlineData("learning-rate")]
    [InlineData("learningRate")]
    [InlineData("LEARNING_RATE")]
    [InlineData("LearningRate")]
    public void Bind_NameNormalization_IgnoresCaseUnderscoresAndDashes(string parameterName)
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat(parameterName, 0, 1).Build();

        OnlyLearningRate p = ParameterBinder.Bind<OnlyLearningRate>(new Dictionary<string, object> { [parameterName] = 0.25 }, space);

        Assert.Equal(0.25, p.LearningRate);
    }

    [Fact]
    public void Bind_UnmatchedMember_ThrowsNamingItAndTheFix()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ParameterBinder.Bind<WithUnmatchedMember>(Adam(), Space));

        Assert.Contains("WithUnmatchedMember.Momentum matches no parameter of the search space", e.Message, StringComparison.Ordinal);
        Assert.Contains("learning_rate, layers, optimizer, beta1", e.Message, StringComparison.Ordinal);
        Assert.Contains("[HpoParameter(\"...\")]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[HpoIgnore]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnmatchedConstructorParameter_ThrowsNamingIt()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ParameterBinder.Bind<RecordWithUnmatched>(Adam(), Space));

        Assert.Contains("RecordWithUnmatched.epochs matches no parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_HpoIgnore_SkipsTheMember()
    {
        IgnoringClass p = ParameterBinder.Bind<IgnoringClass>(Adam(), Space);

        Assert.Equal(3, p.Layers);
        Assert.Equal("untouched", p.Note);
        Assert.Equal(new IgnoringRecord(3, Seed: 0), ParameterBinder.Bind<IgnoringRecord>(Adam(), Space));
    }

    [Fact]
    public void Bind_ReadOnlyProperty_IsNotBound()
    {
        ComputedClass p = ParameterBinder.Bind<ComputedClass>(Adam(), Space);

        Assert.Equal(3, p.Layers);
        Assert.Equal(6, p.Doubled);
    }

    [Fact]
    public void Bind_AttributeNamingAnUnknownParameter_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ParameterBinder.Bind<BadAttribute>(Adam(), Space));

        Assert.Contains("BadAttribute.Rate is bound to parameter 'lr', which is not in the search space", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_MemberMatchingTwoParameters_ThrowsAsAmbiguous()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("learning_rate", 0, 1).AddFloat("learningRate", 0, 1).Build();

        var e = Assert.Throws<InvalidOperationException>(() =>
            ParameterBinder.Bind<OnlyLearningRate>(new Dictionary<string, object> { ["learning_rate"] = 0.1, ["learningRate"] = 0.2 }, space));

        Assert.Contains("OnlyLearningRate.LearningRate matches several parameters (learning_rate, learningRate)", e.Message, StringComparison.Ordinal);
        Assert.Contains("[HpoParameter(\"...\")]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_AmbiguousNameResolvedByAttribute_Binds()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("learning_rate", 0, 1).AddFloat("learningRate", 0, 1).Build();

        Disambiguated p = ParameterBinder.Bind<Disambiguated>(new Dictionary<string, object> { ["learning_rate"] = 0.1, ["learningRate"] = 0.2 }, space);

        Assert.Equal(0.2, p.LearningRate);
    }

    [Fact]
    public void Bind_EnumMember_BindsFromStringChoicesAndRejectsUnknownOnes()
    {
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("optimizer", "sgd", "adam", "lion").Build();

        Assert.Equal(Optimizer.Adam, ParameterBinder.Bind<OnlyOptimizer>(new Dictionary<string, object> { ["optimizer"] = "adam" }, space).Optimizer);
        var e = Assert.Throws<InvalidCastException>(() => ParameterBinder.Bind<OnlyOptimizer>(new Dictionary<string, object> { ["optimizer"] = "lion" }, space));
        Assert.Contains("Parameter 'optimizer' has the value \"lion\", which is not a member of the enum Optimizer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_LossyConversion_ThrowsInvalidCast()
    {
        var e = Assert.Throws<InvalidCastException>(() => ParameterBinder.Bind<LearningRateAsInt>(Adam(), Space));

        Assert.Contains("Parameter 'learning_rate' holds the float 0.01 (Double), which cannot be read as Int32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_NoPublicConstructor_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ParameterBinder.Bind<NoPublicConstructor>(Adam(), Space));

        Assert.Contains("NoPublicConstructor has no public constructor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_SameTypeAndSpaceTwice_BindsEachTrialsOwnValues()
    {
        Assert.Equal(3, ParameterBinder.Bind<SettableParameters>(Adam(), Space).Layers);
        Assert.Equal(2, ParameterBinder.Bind<SettableParameters>(Sgd(), Space).Layers);
    }

    [Fact]
    public void Bind_Trial_BindsItsParameters()
    {
        ITrial trial = new FakeTrial(Space, Adam());

        RecordParameters p = trial.Bind<RecordParameters>();

        Assert.Equal(new RecordParameters(0.01, 3, "adam", 0.9), p);
    }

    [Fact]
    public void Bind_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ((ITrial)null!).Bind<SettableParameters>());
        Assert.Throws<ArgumentNullException>(() => ParameterBinder.Bind<SettableParameters>(null!, Space));
        Assert.Throws<ArgumentNullException>(() => ParameterBinder.Bind<SettableParameters>(Adam(), null!));
    }

    public sealed class SettableParameters
    {
        public double LearningRate { get; set; }

        public int Layers { get; set; }

        public Optimizer Optimizer { get; set; }

        public double? Beta1 { get; set; }
    }

    public sealed record RecordParameters(double LearningRate, int Layers, string Optimizer, double? Beta1);

    public sealed record RecordWithDefault(double LearningRate, int Layers, Optimizer Optimizer, double Beta1 = 0.95);

    public sealed class AttributedClass
    {
        [HpoParameter("lr")]
        public double LearningRate { get; set; }

        [HpoParameter("n_layers")]
        public int Depth { get; init; }

        public long Batch { get; set; }
    }

    public sealed record AttributedRecord([HpoParameter("lr")] double Rate, [property: HpoParameter("n_layers")] int Depth, long Batch);

    public sealed class OnlyLearningRate
    {
        public double LearningRate { get; set; }
    }

    public sealed class OnlyOptimizer
    {
        public Optimizer Optimizer { get; set; }
    }

    public sealed class WithUnmatchedMember
    {
        public double LearningRate { get; set; }

        public double Momentum { get; set; }
    }

    public sealed record RecordWithUnmatched(int Layers, int epochs);

    public sealed class IgnoringClass
    {
        public int Layers { get; set; }

        [HpoIgnore]
        public string Note { get; set; } = "untouched";
    }

    public sealed record IgnoringRecord(int Layers, [HpoIgnore] int Seed);

    public sealed class ComputedClass
    {
        public int Layers { get; set; }

        public int Doubled => Layers * 2;
    }

    public sealed class BadAttribute
    {
        [HpoParameter("lr")]
        public double Rate { get; set; }
    }

    public sealed class Disambiguated
    {
        [HpoParameter("learningRate")]
        public double LearningRate { get; set; }
    }

    public sealed class LearningRateAsInt
    {
        public int LearningRate { get; set; }
    }

    public sealed class NoPublicConstructor
    {
        private NoPublicConstructor()
        {
        }
    }

    private sealed class FakeTrial(SearchSpace space, IReadOnlyDictionary<string, object> parameters) : ITrial
    {
        public int Number => 0;

        public string StudyName => "fake";

        public SearchSpace SearchSpace => space;

        public IReadOnlyDictionary<string, object> Parameters => parameters;

        public IReadOnlyDictionary<string, string> UserAttributes { get; } = new Dictionary<string, string>();

        public T Get<T>(string name) => parameters.TryGetValue(name, out object? v)
            ? ParameterConverter.Convert<T>(name, v)
            : throw ParameterConverter.Missing(space, name, parameters);

        public ValueTask ReportAsync(long step, double value, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask<bool> ShouldPruneAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(false);

        public ValueTask SetUserAttributeAsync(string key, string value, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
