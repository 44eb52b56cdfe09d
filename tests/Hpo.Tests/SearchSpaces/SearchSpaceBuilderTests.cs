using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

public class SearchSpaceBuilderTests
{
    [Fact]
    public void Build_EveryKind_GivesTheDeclaredParameters()
    {
        var activation = new CategoricalDistribution(["relu", "tanh"]);

        SearchSpace space = SearchSpace.CreateBuilder()
            .AddFloat("lr", 1e-5, 1e-1, log: true)
            .AddFloat("dropout", 0, 0.5, step: 0.1)
            .AddInt("layers", 1, 4)
            .AddInt("batch", 16, 256, log: true)
            .AddInt("units", 32, 512, step: 32)
            .AddCategorical("optimizer", "sgd", "adam")
            .AddFloat("beta1", 0.8, 0.999, condition: ParameterCondition.When("optimizer", "adam"))
            .AddCategorical("nesterov", ParameterCondition.When("optimizer", "sgd"), true, false)
            .Add("activation", activation)
            .Build();

        Assert.Equal(["lr", "dropout", "layers", "batch", "units", "optimizer", "beta1", "nesterov", "activation"], space.Parameters.Select(p => p.Name));
        Assert.Equal(new FloatDistribution(1e-5, 1e-1, log: true), space["lr"].Distribution);
        Assert.Equal(new FloatDistribution(0, 0.5, step: 0.1), space["dropout"].Distribution);
        Assert.Equal(new IntDistribution(16, 256, log: true), space["batch"].Distribution);
        Assert.Equal(new IntDistribution(32, 512, step: 32), space["units"].Distribution);
        Assert.Equal(ParameterCondition.When("optimizer", "adam"), space["beta1"].Condition);
        Assert.Equal(ParameterCondition.When("optimizer", "sgd"), space["nesterov"].Condition);
        Assert.Equal(new CategoricalDistribution([true, false]), space["nesterov"].Distribution);
        Assert.Same(activation, space["activation"].Distribution);
        Assert.Null(space["layers"].Condition);
    }

    [Fact]
    public void AddFloat_InvalidBounds_ThrowsAtOnceWithTheParameterName()
    {
        var builder = new SearchSpaceBuilder();

        var e = Assert.Throws<ArgumentException>(() => builder.AddFloat("lr", 1, 0.1));

        Assert.Equal("high", e.ParamName);
        Assert.StartsWith("Parameter 'lr': `high` must be greater than `low`, but got low=1, high=0.1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFloat_StepOnLogScale_ThrowsWithTheParameterName()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpaceBuilder().AddFloat("lr", 1e-4, 1, log: true, step: 1e-4));

        Assert.Equal("step", e.ParamName);
        Assert.StartsWith("Parameter 'lr': a float on a log scale cannot have a step, but got step=0.0001;", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddInt_LogWithStep_ThrowsWithTheParameterName()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpaceBuilder().AddInt("batch", 16, 256, log: true, step: 16));

        Assert.Equal("step", e.ParamName);
        Assert.StartsWith("Parameter 'batch': an integer on a log scale must have step 1, but got step=16.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCategorical_DuplicateChoices_ThrowsWithTheParameterName()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpaceBuilder().AddCategorical("optimizer", "sgd", "sgd"));

        Assert.Equal("choices", e.ParamName);
        Assert.StartsWith("Parameter 'optimizer': categorical choices must be distinct, but choice 1 (\"sgd\") repeats choice 0.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCategorical_NoChoices_ThrowsWithTheParameterName()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpaceBuilder().AddCategorical("optimizer"));

        Assert.StartsWith("Parameter 'optimizer': a categorical parameter needs at least one choice, but got none.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCategorical_UnsupportedChoice_ThrowsWithTheParameterName()
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpaceBuilder().AddCategorical("when", DateTime.UnixEpoch));

        Assert.StartsWith("Parameter 'when': categorical choices must be strings, numbers or booleans, but choice 0 has type DateTime.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_DuplicateName_ThrowsAtOnce()
    {
        var builder = new SearchSpaceBuilder().AddFloat("lr", 0, 1);

        var e = Assert.Throws<ArgumentException>(() => builder.AddInt("lr", 0, 1));

        Assert.Equal("name", e.ParamName);
        Assert.Contains("Parameter names must be unique, but 'lr' is declared twice.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(null)]
    public void Add_BlankName_Throws(string? name)
    {
        var e = Assert.Throws<ArgumentException>(() => new SearchSpaceBuilder().AddFloat(name!, 0, 1));

        Assert.Equal("name", e.ParamName);
        Assert.Contains("A parameter name must be a non-empty string", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_NullDistribution_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new SearchSpaceBuilder().Add("x", null!));
    }

    [Fact]
    public void Build_ConditionOnUnknownParent_ThrowsAtBuild()
    {
        SearchSpaceBuilder builder = new SearchSpaceBuilder().AddFloat("beta1", 0.8, 0.99, condition: ParameterCondition.When("optimizer", "adam"));

        var e = Assert.Throws<ArgumentException>(builder.Build);

        Assert.Contains("Parameter 'beta1': its condition names the parent 'optimizer'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ChildDeclaredBeforeParent_IsAccepted()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddFloat("beta1", 0.8, 0.99, condition: ParameterCondition.When("optimizer", "adam"))
            .AddCategorical("optimizer", "sgd", "adam")
            .Build();

        Assert.Equal(["optimizer", "beta1"], space.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void Build_Twice_ThrowsInvalidOperation()
    {
        var builder = new SearchSpaceBuilder().AddFloat("x", 0, 1);
        builder.Build();

        var e = Assert.Throws<InvalidOperationException>(builder.Build);
        Assert.Contains("single-use", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_AfterBuild_ThrowsInvalidOperation()
    {
        var builder = new SearchSpaceBuilder().AddFloat("x", 0, 1);
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.AddInt("n", 0, 1));
        Assert.Throws<InvalidOperationException>(() => builder.AddCategorical("c", "a"));
        Assert.Throws<InvalidOperationException>(() => builder.Add("d", new IntDistribution(0, 1)));
    }

    [Fact]
    public void Build_Empty_GivesAnEmptySpace()
    {
        SearchSpace space = new SearchSpaceBuilder().Build();

        Assert.Equal(0, space.Count);
        Assert.False(space.IsConditional);
    }
}
