using System.Text.Json;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;

namespace Hpo.Tests.Storage;

public sealed class StudyDefinitionTests
{
    private static StudyDefinition Definition(string? pruner = null, string prunerSettings = "{}", int maxRetries = 0, RetryOn retryOn = RetryOn.LostWorker) => new()
    {
        Name = "s",
        SearchSpace = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build(),
        Directions = [StudyDirection.Minimize],
        TunerName = "random",
        PrunerName = pruner,
        PrunerSettings = prunerSettings,
        Seed = 3,
        MaxRetries = maxRetries,
        RetryOn = retryOn,
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

    [Theory]
    [InlineData(0, RetryOn.LostWorker)]
    [InlineData(3, RetryOn.LostWorker)]
    [InlineData(2, RetryOn.Exception | RetryOn.Timeout)]
    [InlineData(1, RetryOn.LostWorker | RetryOn.Exception | RetryOn.Timeout)]
    [InlineData(1, RetryOn.None)]
    public void ToJson_RetryPolicy_RoundTrips(int maxRetries, RetryOn retryOn)
    {
        StudyDefinition read = StudyDefinition.FromJson(Definition(maxRetries: maxRetries, retryOn: retryOn).ToJson());

        Assert.Equal(maxRetries, read.MaxRetries);
        Assert.Equal(retryOn, read.RetryOn);
    }

    [Fact]
    public void ToJson_DefaultRetryPolicy_WritesNoRetryFields()
    {
        string json = Definition().ToJson();

        Assert.DoesNotContain("retr", json, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_DefinitionWrittenBeforeRetries_ReadsTheDefaultPolicy()
    {
        string json = """{"name":"old","search_space":{"parameters":[{"name":"x","type":"float","low":0,"high":1}]},"directions":["minimize"],"tuner":"random","tuner_settings":{},"seed":1,"lease_ms":30000}""";

        StudyDefinition read = StudyDefinition.FromJson(json);

        Assert.Equal(0, read.MaxRetries);
        Assert.Equal(RetryOn.LostWorker, read.RetryOn);
    }

    [Fact]
    public void FromJson_UnknownRetryOnValue_ThrowsFormatExceptionNamingIt()
    {
        string json = Definition(maxRetries: 1, retryOn: RetryOn.Exception).ToJson().Replace("\"exception\"", "\"sometimes\"", StringComparison.Ordinal);

        FormatException e = Assert.Throws<FormatException>(() => StudyDefinition.FromJson(json));

        Assert.Contains("sometimes", e.Message, StringComparison.Ordinal);
    }
}
