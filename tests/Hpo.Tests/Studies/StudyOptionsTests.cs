using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;

namespace Hpo.Tests.Studies;

public sealed class StudyOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new StudyOptions();

        Assert.Equal(StudyDirection.Minimize, options.Direction);
        Assert.Null(options.Tuner);
        Assert.Null(options.Seed);
        Assert.Null(options.Budget);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Lease);
        Assert.Null(options.LoggerFactory);
        Assert.Null(options.TimeProvider);
        Assert.Equal(0, options.MaxRetries);
        Assert.Equal(RetryOn.LostWorker, options.RetryOn);
        options.Validate();
    }

    [Fact]
    public void Validate_EveryProblem_ListsOneLinePerProblem()
    {
        var options = new StudyOptions { Direction = (StudyDirection)5, Budget = 0, Lease = TimeSpan.FromMilliseconds(50), MaxRetries = -1, RetryOn = (RetryOn)8 };

        ArgumentException e = Assert.Throws<ArgumentException>(options.Validate);

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'StudyOptions' are invalid.", lines[0]);
        Assert.Equal(
            [
                "- Direction must be Minimize or Maximize, but got 5.",
                "- Budget must be positive or null (no limit), but got 0.",
                "- Lease must be between 100 ms and 1 day (00:00:00.1 to 1.00:00:00), but got 00:00:00.0500000.",
                "- MaxRetries must not be negative, but got -1.",
                "- RetryOn must combine LostWorker, Exception and Timeout, but got 8.",
            ],
            lines[1..]);
    }

    [Fact]
    public async Task CreateAsync_InvalidOptions_ThrowsAndStoresNoStudy()
    {
        await using var storage = new InMemoryStudyStorage();

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() =>
            Study.CreateAsync(storage, "s", SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build(), new StudyOptions { Budget = -3 }));

        Assert.StartsWith("The 'StudyOptions' are invalid.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Budget must be positive or null (no limit), but got -3.", e.Message, StringComparison.Ordinal);
        Assert.Empty(await storage.GetStudiesAsync(CancellationToken.None));
    }
}
