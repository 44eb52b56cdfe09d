using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

public class SearchSpaceTests
{
    private static readonly CategoricalDistribution Optimizers = new(["sgd", "adam"]);

    private static SearchParameter P(string name, Distribution distribution, ParameterCondition? condition = null) => new(name, distribution, condition);

    private static SearchSpace NestedSpace() => new(
    [
        P("beta2", new FloatDistribution(0.9, 0.9999), ParameterCondition.When("amsgrad", true)),
        P("amsgrad", new CategoricalDistribution([true, false]), ParameterCondition.When("optimizer", "adam")),
        P("lr", new FloatDistribution(1e-5, 1e-1, log: true)),
        P("optimizer", Optimizers),
        P("momentum", new FloatDistribution(0, 0.99), ParameterCondition.When("optimizer", "sgd")),
    ]);

    [Fact]
    public void Constructor_DuplicateName_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace([P("lr", new FloatDistribution(0, 1)), P("lr", new IntDistribution(0, 1))]));

        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("Parameter names must be unique, but 'lr' is declared twice", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Constructor_BlankName_Throws(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace([P(name, new FloatDistribution(0, 1))]));

        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("A parameter name must be a non-empty string", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullParameter_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace([P("a", new IntDistribution(0, 1)), null!]));

        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("null parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ConditionOnUnknownParent_ThrowsNamingChildAndParent()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace([P("beta1", new FloatDistribution(0.8, 0.99), ParameterCondition.When("optimizer", "adam"))]));

        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("Parameter 'beta1'", e.Message, StringComparison.Ordinal);
        Assert.Contains("names the parent 'optimizer', which is not a parameter of this space", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ConditionOnNonCategoricalParent_ThrowsNamingItsDistribution()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace(
        [
            P("layers", new IntDistribution(1, 4)),
            P("width", new IntDistribution(8, 64), ParameterCondition.When("layers", 2)),
        ]));

        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("Parameter 'width'", e.Message, StringComparison.Ordinal);
        Assert.Contains("its parent 'layers' must be categorical, but it is int [1, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ConditionOnUnknownParentValue_ThrowsListingTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace(
        [
            P("optimizer", Optimizers),
            P("rho", new FloatDistribution(0.5, 0.99), ParameterCondition.When("optimizer", "adam", "rmsprop")),
        ]));

        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("Parameter 'rho'", e.Message, StringComparison.Ordinal);
        Assert.Contains("requires 'optimizer' to be \"rmsprop\", which is not one of its choices [\"sgd\", \"adam\"]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SelfCondition_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace([P("mode", new CategoricalDistribution(["a", "b"]), ParameterCondition.When("mode", "a"))]));

        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("Parameter 'mode': a parameter cannot be conditional on itself", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TwoCycle_ThrowsShowingTheCycle()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace(
        [
            P("a", new CategoricalDistribution(["x", "y"]), ParameterCondition.When("b", "x")),
            P("b", new CategoricalDistribution(["x", "y"]), ParameterCondition.When("a", "x")),
        ]));

        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("The conditions form a cycle: a -> b -> a.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ThreeCycleWithATail_ThrowsShowingOnlyTheCycle()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpace(
        [
            P("tail", new FloatDistribution(0, 1), ParameterCondition.When("a", "x")),
            P("a", new CategoricalDistribution(["x", "y"]), ParameterCondition.When("b", "x")),
            P("b", new CategoricalDistribution(["x", "y"]), ParameterCondition.When("c", "y")),
            P("c", new CategoricalDistribution(["x", "y"]), ParameterCondition.When("a", "y")),
            P("free", new FloatDistribution(0, 1)),
        ]));

        Assert.Contains("The conditions form a cycle: a -> b -> c -> a.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tail", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("free", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ChildrenBeforeParents_SortsParentsFirstKeepingDeclarationOrderOtherwise()
    {
        SearchSpace space = NestedSpace();

        Assert.Equal(["lr", "optimizer", "momentum", "amsgrad", "beta2"], space.Parameters.Select(p => p.Name));
        Assert.True(space.IsConditional);
        Assert.Equal(5, space.Count);
        Assert.Equal(3, space.IndexOf("amsgrad"));
        Assert.Equal(-1, space.IndexOf("nope"));
        Assert.True(space.Contains("beta2"));
        Assert.False(space.Contains("Beta2"));
        Assert.Same(Optimizers, space.Distributions["optimizer"]);
    }

    [Fact]
    public void Indexer_UnknownName_ThrowsListingTheParameters()
    {
        SearchSpace space = NestedSpace();

        var e = Assert.Throws<KeyNotFoundException>(() => space["nope"]);
        Assert.Contains("no parameter 'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains("lr, optimizer, momentum, amsgrad, beta2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsActive_NestedCondition_FollowsEveryAncestor()
    {
        SearchSpace space = NestedSpace();

        Assert.True(space.IsActive("lr", new Dictionary<string, object>()));
        Assert.True(space.IsActive("beta2", new Dictionary<string, object> { ["optimizer"] = "adam", ["amsgrad"] = true }));
        Assert.False(space.IsActive("beta2", new Dictionary<string, object> { ["optimizer"] = "adam", ["amsgrad"] = false }));
        Assert.False(space.IsActive("beta2", new Dictionary<string, object> { ["optimizer"] = "sgd", ["amsgrad"] = true }));
        Assert.False(space.IsActive("beta2", new Dictionary<string, object> { ["amsgrad"] = true }));
        Assert.True(space.IsActive("momentum", new Dictionary<string, object> { ["optimizer"] = "sgd" }));
    }

    [Fact]
    public void IsActive_ConditionWrittenWithIntOnLongChoices_Matches()
    {
        var space = new SearchSpace(
        [
            P("depth", new CategoricalDistribution([1, 2, 3])),
            P("skip", new CategoricalDistribution([true, false]), ParameterCondition.When("depth", 2, 3)),
        ]);

        Assert.True(space.IsActive("skip", new Dictionary<string, object> { ["depth"] = 3L }));
        Assert.False(space.IsActive("skip", new Dictionary<string, object> { ["depth"] = 1L }));
    }

    [Fact]
    public void Validate_FullPoint_ReturnsCanonicalValues()
    {
        var space = new SearchSpaceBuilder()
            .AddFloat("x", 0, 1)
            .AddInt("n", 0, 10)
            .AddCategorical("c", 1, 2)
            .Build();

        IReadOnlyDictionary<string, object> values = space.Validate(new Dictionary<string, object> { ["x"] = 1, ["n"] = 3, ["c"] = (short)2 });

        Assert.Equal(1.0, Assert.IsType<double>(values["x"]));
        Assert.Equal(3L, Assert.IsType<long>(values["n"]));
        Assert.Equal(2L, Assert.IsType<long>(values["c"]));
    }

    [Fact]
    public void Validate_UnknownParameter_ThrowsListingTheParameters()
    {
        var e = Assert.Throws<ArgumentException>(() => NestedSpace().Validate(new Dictionary<string, object> { ["lr"] = 0.01, ["optimizer"] = "sgd", ["momentum"] = 0.5, ["epochs"] = 3 }));

        Assert.Equal("values", e.ParamName);
        Assert.Contains("Parameter 'epochs' is not part of the search space", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingActiveChild_ThrowsNamingItsCondition()
    {
        var e = Assert.Throws<ArgumentException>(() => NestedSpace().Validate(new Dictionary<string, object> { ["lr"] = 0.01, ["optimizer"] = "adam" }));

        Assert.Contains("Parameter 'amsgrad' is active but has no value (it exists when optimizer in [\"adam\"])", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InactiveChildGiven_ThrowsNamingItsCondition()
    {
        var e = Assert.Throws<ArgumentException>(() => NestedSpace().Validate(new Dictionary<string, object> { ["lr"] = 0.01, ["optimizer"] = "sgd", ["momentum"] = 0.9, ["amsgrad"] = true }));

        Assert.Contains("Parameter 'amsgrad' is inactive here: it exists only when optimizer in [\"adam\"]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ValueOutOfRange_ThrowsNamingParameterAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => NestedSpace().Validate(new Dictionary<string, object> { ["lr"] = 0.5, ["optimizer"] = "sgd", ["momentum"] = 0.9 }));

        Assert.Equal("values", e.ParamName);
        Assert.Contains("Parameter 'lr': The value 0.5 lies outside float [1E-05, 0.1] log", e.Message, StringComparison.Ordinal);
        Assert.IsType<ArgumentException>(e.InnerException);
    }

    [Fact]
    public void Equals_SameParametersInTheSameOrder_AreEqual()
    {
        SearchSpace a = NestedSpace();
        SearchSpace b = NestedSpace();

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new SearchSpace(a.Parameters.Take(2)));
        Assert.NotEqual(a, new SearchSpace(a.Parameters.Select(p => p.Name == "lr" ? p with { Distribution = new FloatDistribution(1e-5, 1, log: true) } : p)));
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void Equals_ConditionWithIntValuesAndItsLongTwin_AreEqual()
    {
        SearchParameter depth = P("depth", new CategoricalDistribution([1, 2, 3]));
        var withInts = new SearchSpace([depth, P("skip", new IntDistribution(0, 1), ParameterCondition.When("depth", 2, 3))]);
        var withLongs = new SearchSpace([depth, P("skip", new IntDistribution(0, 1), ParameterCondition.When("depth", 2L, 3L))]);

        Assert.Equal(withInts, withLongs);
    }

    [Fact]
    public void From_SearchSpace_ReturnsItAndValidatesOtherImplementations()
    {
        SearchSpace space = NestedSpace();

        Assert.Same(space, SearchSpace.From(space));
        var copy = SearchSpace.From(new ForeignSpace(space.Parameters));
        Assert.Equal(space, copy);
        Assert.Throws<ArgumentException>(() => SearchSpace.From(new ForeignSpace([P("x", new FloatDistribution(0, 1), ParameterCondition.When("y", 1))])));
    }

    [Fact]
    public void ToString_ListsParametersWithConditions()
    {
        var space = new SearchSpaceBuilder()
            .AddCategorical("optimizer", "sgd", "adam")
            .AddFloat("beta1", 0.8, 0.99, condition: ParameterCondition.When("optimizer", "adam"))
            .Build();

        Assert.Equal("optimizer: categorical [\"sgd\", \"adam\"]; beta1: float [0.8, 0.99] when optimizer in [\"adam\"]", space.ToString());
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public void Validate_DecodedPoints_AcceptsThemUnchanged(SpaceWithPoints sample)
    {
        var encoding = new UnitCubeEncoding(sample.Space);
        foreach (double[] point in sample.Points)
        {
            IReadOnlyDictionary<string, object> values = encoding.Decode(point);

            IReadOnlyDictionary<string, object> validated = sample.Space.Validate(values);

            Assert.Equal(values.OrderBy(kv => kv.Key, StringComparer.Ordinal), validated.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        }
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public void IsActive_DecodedPoints_MatchesWhichParametersArePresent(SpaceWithPoints sample)
    {
        var encoding = new UnitCubeEncoding(sample.Space);
        foreach (double[] point in sample.Points)
        {
            IReadOnlyDictionary<string, object> values = encoding.Decode(point);

            Assert.All(sample.Space.Parameters, p => Assert.Equal(values.ContainsKey(p.Name), sample.Space.IsActive(p.Name, values)));
        }
    }

    public static class Arbitraries
    {
        public static Arbitrary<SpaceWithPoints> SpacesWithPoints() => Arb.From(SearchSpaceGenerators.AnySpaceWithPoints);
    }

    private sealed class ForeignSpace(IEnumerable<SearchParameter> parameters) : ISearchSpace
    {
        public IReadOnlyList<SearchParameter> Parameters { get; } = [.. parameters];

        public IReadOnlyDictionary<string, Distribution> Distributions => Parameters.ToDictionary(p => p.Name, p => p.Distribution);
    }
}
