using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;

namespace Hpo.Tests.Studies;

public sealed class OptimizeOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new OptimizeOptions();

        Assert.Null(options.TrialCount);
        Assert.Null(options.Timeout);
        Assert.Equal(1, options.Concurrency);
        Assert.Null(options.TrialTimeout);
        Assert.Equal(FailurePolicy.Continue, options.FailurePolicy);
        Assert.Null(options.OnTrialFinished);
    }

    [Fact]
    public void Validate_DefaultsWithAStudyBudget_Passes()
    {
        new OptimizeOptions().Validate(budget: 10);
    }

    [Theory]
    [InlineData(5, null)]
    [InlineData(null, 1000)]
    public void Validate_NoBudgetButATrialCountOrTimeout_Passes(int? trialCount, int? timeoutMs)
    {
        var options = new OptimizeOptions { TrialCount = trialCount, Timeout = timeoutMs is int ms ? TimeSpan.FromMilliseconds(ms) : null };

        options.Validate(budget: null);
    }

    [Fact]
    public void Validate_NoEnd_SaysHowToGiveTheRunOne()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new OptimizeOptions().Validate(budget: null));

        Assert.Equal(
            "The 'OptimizeOptions' are invalid." + Environment.NewLine + "- The run has no end: set TrialCount, Timeout or StopToken, or give the study a Budget.",
            e.Message);
    }

    [Fact]
    public void Validate_EveryProblem_ListsOneLinePerProblem()
    {
        var options = new OptimizeOptions
        {
            TrialCount = 0,
            Timeout = TimeSpan.FromSeconds(-1),
            Concurrency = 0,
            TrialTimeout = TimeSpan.Zero,
            FailurePolicy = (FailurePolicy)9,
        };

        ArgumentException e = Assert.Throws<ArgumentException>(() => options.Validate(budget: 5));

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'OptimizeOptions' are invalid.", lines[0]);
        Assert.Equal(
            [
                "- TrialCount must be positive or null, but got 0.",
                "- Timeout must be positive, Timeout.InfiniteTimeSpan or null, but got -00:00:01.",
                "- Concurrency must be at least 1, but got 0.",
                "- TrialTimeout must be positive, Timeout.InfiniteTimeSpan or null, but got 00:00:00.",
                "- FailurePolicy must be Continue or Stop, but got 9.",
            ],
            lines[1..]);
    }

    [Fact]
    public async Task OptimizeAsync_InvalidOptions_ThrowsBeforeStartingATrial()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "s", SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build(), new StudyOptions { Seed = 1 });

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => study.OptimizeAsync(_ => 1.0, new OptimizeOptions { TrialCount = 3, Concurrency = -2 }));

        Assert.StartsWith("The 'OptimizeOptions' are invalid.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Concurrency must be at least 1, but got -2.", e.Message, StringComparison.Ordinal);
        Assert.Empty(await study.GetTrialsAsync());
    }

    [Fact]
    public async Task OptimizeAsync_NoOptionsAndNoBudget_ThrowsTheNoEndProblem()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "s", SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build());

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => study.OptimizeAsync(_ => 1.0));

        Assert.Contains("The run has no end", e.Message, StringComparison.Ordinal);
    }
}
