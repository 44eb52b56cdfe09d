using System.Text.Json;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;

namespace Hpo.Tests.Storage;

public sealed class StudyDefinitionTests
{
    private static StudyDefinition Definition(string? pruner = null, string prunerSettings = "{}") => new()
    {
        Name = "s",
        SearchSpace = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build(),
        Directions = [StudyDirection.Minimize],
        TunerName = "random",
        PrunerName = pruner,
        PrunerSettings = prunerSettings,
        Seed = 3,
    };

    [Fact]
    public void ToJson_WithAPruner_WritesItsNameAndSettings()
    {
        string json = Definition("asha", """{"ReductionFactor":2}""").ToJson();

        using var doc = JsonDocument.Parse(json);
        Assert.Equal("asha", doc.RootElement.GetProperty("pruner").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("pruner_settings").GetProperty("ReductionFactor").GetInt32());
    }

    [Fact]
    public void ToJson_WithoutAPruner_WritesNoPrunerFields()
    {
        using var doc = JsonDocument.Parse(Definition().ToJson());

        Assert.False(doc.RootElement.TryGetProperty("pruner", out _));
        Assert.False(doc.RootElement.TryGetProperty("pruner_settings", out _));
    }

    [Fact]
    public void FromJson_RoundTripsThePruner()
    {
        StudyDefinition back = StudyDefinition.FromJson(Definition("median", """{"WarmupSteps":4}""").ToJson());

        Assert.Equal("median", back.PrunerName);
        Assert.Equal("""{"WarmupSteps":4}""", back.PrunerSettings);
    }

    [Fact]
    public void FromJson_DefinitionWrittenBeforePruners_HasNoPruner()
    {
        const string Stored = """{"name":"old","search_space":{"parameters":[{"name":"x","type":"float","low":0,"high":1}]},"directions":["minimize"],"tuner":"random","tuner_settings":{},"seed":5,"lease_ms":30000}""";

        StudyDefinition back = StudyDefinition.FromJson(Stored);

        Assert.Null(back.PrunerName);
        Assert.Equal("{}", back.PrunerSettings);
        Assert.Equal("random", back.TunerName);
    }
}
