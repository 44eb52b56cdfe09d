using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;

namespace Hpo.Tests.Storage;

public sealed class StudyDefinitionTests
{
    private static StudyDefinition Definition(int maxRetries = 0, RetryOn retryOn = RetryOn.LostWorker) => new()
    {
        Name = "s",
        SearchSpace = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build(),
        Directions = [StudyDirection.Minimize],
        TunerName = "random",
        Seed = 7,
        MaxRetries = maxRetries,
        RetryOn = retryOn,
    };

    [Theory]
    [InlineData(0, RetryOn.LostWorker)]
    [InlineData(3, RetryOn.LostWorker)]
    [InlineData(2, RetryOn.Exception | RetryOn.Timeout)]
    [InlineData(1, RetryOn.LostWorker | RetryOn.Exception | RetryOn.Timeout)]
    [InlineData(1, RetryOn.None)]
    public void ToJson_RetryPolicy_RoundTrips(int maxRetries, RetryOn retryOn)
    {
        StudyDefinition read = StudyDefinition.FromJson(Definition(maxRetries, retryOn).ToJson());

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
        string json = Definition(1, RetryOn.Exception).ToJson().Replace("\"exception\"", "\"sometimes\"", StringComparison.Ordinal);

        FormatException e = Assert.Throws<FormatException>(() => StudyDefinition.FromJson(json));

        Assert.Contains("sometimes", e.Message, StringComparison.Ordinal);
    }
}
