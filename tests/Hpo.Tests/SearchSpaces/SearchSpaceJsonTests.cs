using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

public class SearchSpaceJsonTests
{
    private static SearchSpace Example() => new SearchSpaceBuilder()
        .AddFloat("lr", 1e-5, 0.1, log: true)
        .AddFloat("dropout", 0, 0.5, step: 0.05)
        .AddInt("layers", 1, 4)
        .AddInt("batch", 16, 512, log: true)
        .AddInt("units", 32, 512, step: 32)
        .AddCategorical("optimizer", "sgd", "adam")
        .AddCategorical("mixed", 1, 1.0, 2.5, true, "x")
        .AddFloat("beta1", 0.8, 0.999, condition: ParameterCondition.When("optimizer", "adam"))
        .AddInt("warmup", 0, 10, condition: ParameterCondition.When("mixed", 1, true))
        .Build();

    [Fact]
    public void ToJsonFromJson_Example_RoundTripsToAnEqualSpace()
    {
        SearchSpace space = Example();

        SearchSpace back = SearchSpace.FromJson(space.ToJson());

        Assert.Equal(space, back);
        Assert.IsType<long>(back["mixed"].Distribution is CategoricalDistribution c ? c.Choices[0] : null);
        Assert.IsType<double>(((CategoricalDistribution)back["mixed"].Distribution).Choices[1]);
    }

    [Fact]
    public void ToJson_Example_WritesTheDocumentedShape()
    {
        using var doc = JsonDocument.Parse(Example().ToJson());

        JsonElement[] parameters = [.. doc.RootElement.GetProperty("parameters").EnumerateArray()];
        Assert.Equal(9, parameters.Length);
        JsonElement lr = parameters[0];
        Assert.Equal("lr", lr.GetProperty("name").GetString());
        Assert.Equal("float", lr.GetProperty("type").GetString());
        Assert.Equal(1e-5, lr.GetProperty("low").GetDouble());
        Assert.True(lr.GetProperty("log").GetBoolean());
        Assert.False(lr.TryGetProperty("step", out _));
        JsonElement layers = parameters[2];
        Assert.Equal("int", layers.GetProperty("type").GetString());
        Assert.False(layers.TryGetProperty("log", out _));
        Assert.False(layers.TryGetProperty("step", out _));
        Assert.Equal(32, parameters[4].GetProperty("step").GetInt64());
        Assert.Equal(["1", "1.0", "2.5", "true", "\"x\""], parameters[6].GetProperty("choices").EnumerateArray().Select(c => c.GetRawText()));
        JsonElement condition = parameters[7].GetProperty("condition");
        Assert.Equal("optimizer", condition.GetProperty("parent").GetString());
        Assert.Equal(["\"adam\""], condition.GetProperty("values").EnumerateArray().Select(c => c.GetRawText()));
    }

    [Fact]
    public void FromJson_HandWrittenDocument_IsRead()
    {
        const string Json = """
            {
              // comments and trailing commas are allowed
              "parameters": [
                { "name": "beta1", "type": "float", "low": 0.8, "high": 0.99, "condition": { "parent": "optimizer", "values": ["adam"] } },
                { "name": "optimizer", "type": "categorical", "choices": ["sgd", "adam"] },
                { "name": "layers", "type": "int", "low": 1, "high": 8, "log": true, "step": null },
                { "name": "ratio", "type": "float", "low": 0, "high": 1, "step": 0.25, "log": false, "condition": null },
              ],
            }
            """;

        SearchSpace space = SearchSpace.FromJson(Json);

        // Parents come first; the child follows once its parent is placed.
        Assert.Equal(["optimizer", "layers", "ratio", "beta1"], space.Parameters.Select(p => p.Name));
        Assert.Equal(new IntDistribution(1, 8, log: true), space["layers"].Distribution);
        Assert.Equal(new FloatDistribution(0, 1, step: 0.25), space["ratio"].Distribution);
        Assert.Equal(ParameterCondition.When("optimizer", "adam"), space["beta1"].Condition);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "must be an object with a \"parameters\" array")]
    [InlineData("{\"parameters\": {}}", "must be an object with a \"parameters\" array")]
    [InlineData("{\"parameters\": [3]}", "parameters[0] must be an object, but it is Number")]
    [InlineData("{\"parameters\": [{\"type\": \"float\"}]}", "parameters[0] needs a string \"name\"")]
    [InlineData("{\"parameters\": [{\"name\": \"x\"}]}", "parameter 'x' needs a string \"type\"")]
    [InlineData("{\"parameters\": [{\"name\": \"x\", \"type\": \"double\"}]}", "parameter 'x' has type \"double\"; the type must be \"float\", \"int\" or \"categorical\"")]
    [InlineData("{\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"high\": 1}]}", "parameter 'x' needs a number \"low\"")]
    [InlineData("{\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": \"0\", \"high\": 1}]}", "\"low\" of parameter 'x' must be a number, but it is String")]
    [InlineData("{\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1, \"lg\": true}]}", "parameter 'x' has an unknown property \"lg\"")]
    [InlineData("{\"parameters\": [{\"name\": \"x\", \"type\": \"float\", \"low\": 0, \"high\": 1, \"log\": \"yes\"}]}", "\"log\" of parameter 'x' must be true or false, but it is \"yes\"")]
    [InlineData("{\"parameters\": [{\"name\": \"n\", \"type\": \"int\", \"low\": 0.5, \"high\": 3}]}", "\"low\" of parameter 'n' must be an integer, but it is 0.5")]
    [InlineData("{\"parameters\": [{\"name\": \"c\", \"type\": \"categorical\"}]}", "parameter 'c' is categorical and needs a \"choices\" array")]
    [InlineData("{\"parameters\": [{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [null]}]}", "the values of parameter 'c' must be strings, numbers or booleans, but one is null")]
    [InlineData("{\"parameters\": [{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [1], \"condition\": 5}]}", "the condition of parameter 'c' must be an object")]
    [InlineData("{\"parameters\": [{\"name\": \"c\", \"type\": \"categorical\", \"choices\": [1], \"condition\": {\"parent\": \"p\"}}]}", "the condition of parameter 'c' needs a \"values\" array")]
    public void FromJson_MalformedDocument_ThrowsFormatExceptionSayingWhere(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => SearchSpace.FromJson(json));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_InvalidSpace_ThrowsArgumentExceptionNamingTheParameter()
    {
        var e = Assert.Throws<ArgumentException>(() => SearchSpace.FromJson("{\"parameters\": [{\"name\": \"lr\", \"type\": \"float\", \"low\": 1, \"high\": 0}]}"));

        Assert.Contains("Parameter 'lr': `high` must be greater than `low`, but got low=1, high=0.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_ConditionOnUnknownValue_ThrowsArgumentException()
    {
        const string Json = """
            {"parameters": [
              {"name": "optimizer", "type": "categorical", "choices": ["sgd"]},
              {"name": "beta1", "type": "float", "low": 0.8, "high": 0.99, "condition": {"parent": "optimizer", "values": ["adam"]}}
            ]}
            """;

        var e = Assert.Throws<ArgumentException>(() => SearchSpace.FromJson(Json));

        Assert.Contains("Parameter 'beta1': its condition requires 'optimizer' to be \"adam\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => SearchSpace.FromJson(null!));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public void ToJsonFromJson_RandomSpaces_RoundTripToAnEqualSpace(GeneratedSpace generated)
    {
        SearchSpace space = generated.Space;
        string json = space.ToJson();

        SearchSpace back = SearchSpace.FromJson(json);

        Assert.True(space.Equals(back), $"The space did not survive its JSON form:\n{json}\nRead back as: {back}");
        Assert.Equal(json, back.ToJson());
    }

    public static class Arbitraries
    {
        public static Arbitrary<GeneratedSpace> Spaces() => Arb.From(SearchSpaceGenerators.AnySpace);
    }
}
