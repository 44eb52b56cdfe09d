using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Tests.Shared;
using Hpo.Trials;

namespace Hpo.Tests.Storage.Queries;

public sealed class TrialQueryTests
{
    private static readonly StudyDefinition Definition = new()
    {
        Name = "q",
        SearchSpace = SyntheticStudy.Space,
        Directions = [StudyDirection.Minimize],
        TunerName = "random",
        Seed = 0,
    };

    private static TrialRecord Trial(int number, TrialState state, double? value, Dictionary<string, object>? p = null, string? owner = null) => new()
    {
        Id = number + 1,
        Number = number,
        State = state,
        Values = value is double v ? [v] : [],
        Parameters = p ?? [],
        Owner = owner,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void Apply_SortByValue_PutsTrialsWithoutAFiniteValueLastEitherWay_TiesByNumber()
    {
        TrialRecord[] trials = [Trial(0, TrialState.Complete, 2), Trial(1, TrialState.Failed, null), Trial(2, TrialState.Complete, double.NaN), Trial(3, TrialState.Complete, 1), Trial(4, TrialState.Pruned, 2)];

        TrialPage asc = new TrialQuery { Sort = TrialSortColumn.Value }.Apply(Definition, trials);
        TrialPage desc = new TrialQuery { Sort = TrialSortColumn.Value, Descending = true }.Apply(Definition, trials);

        Assert.Equal([3, 0, 4, 1, 2], asc.Trials.Select(t => t.Number));
        Assert.Equal([0, 4, 3, 1, 2], desc.Trials.Select(t => t.Number));
    }

    [Fact]
    public void Apply_SortByFinished_OrdersTimesAMicrosecondApart()
    {
        // Today's times in ticks do not fit a double's 53 bits: as doubles, these three would tie and sort by number.
        var t0 = new DateTimeOffset(2026, 12, 6, 9, 45, 0, TimeSpan.Zero);
        TrialRecord[] trials =
        [
            Trial(0, TrialState.Complete, 1) with { FinishedAt = t0.AddTicks(20) },
            Trial(1, TrialState.Complete, 1) with { FinishedAt = t0.AddTicks(10) },
            Trial(2, TrialState.Complete, 1) with { FinishedAt = t0 },
            Trial(3, TrialState.Running, null),
        ];

        TrialPage asc = new TrialQuery { Sort = TrialSortColumn.Finished }.Apply(Definition, trials);
        TrialPage desc = new TrialQuery { Sort = TrialSortColumn.Finished, Descending = true }.Apply(Definition, trials);

        Assert.Equal([2, 1, 0, 3], asc.Trials.Select(t => t.Number));
        Assert.Equal([0, 1, 2, 3], desc.Trials.Select(t => t.Number));
    }

    [Fact]
    public void Apply_RangesAndChoices_KeepOnlyTrialsWithTheValueInside()
    {
        TrialRecord[] trials =
        [
            Trial(0, TrialState.Complete, 0.5, new() { ["lr"] = 0.01, ["units"] = 10L, ["optimizer"] = "sgd", ["momentum"] = 0.9 }),
            Trial(1, TrialState.Complete, 1.5, new() { ["lr"] = 0.001, ["units"] = 20L, ["optimizer"] = "adam" }),
            Trial(2, TrialState.Complete, 2.5, new() { ["lr"] = 0.1, ["units"] = 30L, ["optimizer"] = "sgd", ["momentum"] = 0.1 }),
            Trial(3, TrialState.Failed, null, new() { ["lr"] = 0.01, ["units"] = 40L, ["optimizer"] = "adam" }),
        ];

        TrialPage value = new TrialQuery { Filter = new TrialFilter { Value = new ValueRange(0.5, 1.5) } }.Apply(Definition, trials);
        TrialPage momentum = new TrialQuery { Filter = new TrialFilter { Parameters = new Dictionary<string, ValueRange> { ["momentum"] = new(null, 0.5) } } }.Apply(Definition, trials);
        TrialPage adam = new TrialQuery { Filter = new TrialFilter { Choices = new Dictionary<string, IReadOnlyList<object>> { ["optimizer"] = ["adam"] }, Parameters = new Dictionary<string, ValueRange> { ["units"] = new(25, null) } } }.Apply(Definition, trials);

        Assert.Equal([0, 1], value.Trials.Select(t => t.Number));
        Assert.Equal(4, value.Total);
        Assert.Equal(2, value.Matched);
        Assert.Equal([2], momentum.Trials.Select(t => t.Number));
        Assert.Equal([3], adam.Trials.Select(t => t.Number));
    }

    [Fact]
    public void Apply_Text_MatchesOwnerIgnoringAsciiCase_OrTheNumber()
    {
        TrialRecord[] trials = [Trial(0, TrialState.Complete, 1, owner: "Host-A/pid-1"), Trial(1, TrialState.Complete, 1, owner: "host-b/pid-2"), Trial(12, TrialState.Complete, 1, owner: "x")];

        Assert.Equal([0], new TrialQuery { Filter = new TrialFilter { Text = "HOST-a" } }.Apply(Definition, trials).Trials.Select(t => t.Number));
        Assert.Equal([12], new TrialQuery { Filter = new TrialFilter { Text = "12" } }.Apply(Definition, trials).Trials.Select(t => t.Number));
    }

    [Theory]
    [InlineData("offset", "'offset' must be 0 or more, but got -1.")]
    [InlineData("limit", "'limit' must be from 1 to 10000, but got 0.")]
    [InlineData("sort", "'sort' by a parameter must name one of lr, units, optimizer, momentum, but got 'colour'.")]
    [InlineData("param:optimizer", "Filter 'param:optimizer' is a range, which needs a float or integer parameter, but 'optimizer' is categorical")]
    [InlineData("param:units", "Filter 'param:units' by choices must name a categorical parameter of the study, but got 'units'.")]
    [InlineData("value", "Filter 'value' must have min <= max, but got min=2, max=1.")]
    public void Validate_BadQuery_NamesTheFieldTheRuleAndTheValue(string field, string message)
    {
        TrialQuery query = field switch
        {
            "offset" => new TrialQuery { Offset = -1 },
            "limit" => new TrialQuery { Limit = 0 },
            "sort" => new TrialQuery { Sort = TrialSortColumn.Parameter, SortParameter = "colour" },
            "param:optimizer" => new TrialQuery { Filter = new TrialFilter { Parameters = new Dictionary<string, ValueRange> { ["optimizer"] = new(0, 1) } } },
            "param:units" => new TrialQuery { Filter = new TrialFilter { Choices = new Dictionary<string, IReadOnlyList<object>> { ["units"] = [1L] } } },
            _ => new TrialQuery { Filter = new TrialFilter { Value = new ValueRange(2, 1) } },
        };

        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => query.Validate(Definition));

        Assert.Equal(field, e.ParamName);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.1..0.5", 0.1, 0.5)]
    [InlineData("..3", null, 3.0)]
    [InlineData("-1e-3..", -0.001, null)]
    public void ValueRange_Parse_ReadsEitherEndOpen(string text, double? min, double? max) =>
        Assert.Equal(new ValueRange(min, max), ValueRange.Parse(text, "value"));

    [Theory]
    [InlineData("0.5", "must be a range MIN..MAX")]
    [InlineData("..", "must give at least one bound")]
    [InlineData("a..1", "'a' in 'a..1' is not one")]
    [InlineData("NaN..1", "'NaN' in 'NaN..1' is not one")]
    public void ValueRange_Parse_BadText_NamesTheField(string text, string message)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ValueRange.Parse(text, "duration"));

        Assert.Equal("duration", e.ParamName);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryTrialsAsync_Sqlite_AgreesWithTheReferenceOnRandomQueries()
    {
        using var db = new TempDatabase();
        await using var storage = new SqliteStudyStorage(db.Path);
        StudyRecord study = await TrialQueryCases.SeedAsync(storage, "diff");

        Assert.IsAssignableFrom<IStudyQueryStorage>(storage);
        await TrialQueryCases.AssertAgreeAsync(storage.AsQueryStorage(), storage, study, seed: 1, count: 300);
    }

    [Fact]
    public async Task AsQueryStorage_InMemory_FallsBackToReadingEveryTrial()
    {
        await using var storage = new InMemoryStudyStorage();
        StudyRecord study = await TrialQueryCases.SeedAsync(storage, "mem", trials: 60);

        IStudyQueryStorage queries = storage.AsQueryStorage();

        Assert.IsNotType<InMemoryStudyStorage>(queries);
        await TrialQueryCases.AssertAgreeAsync(queries, storage, study, seed: 2, count: 40);
    }

    [Fact]
    public async Task QueryTrialsAsync_UnknownStudy_Throws()
    {
        using var db = new TempDatabase();
        await using var storage = new SqliteStudyStorage(db.Path);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await storage.QueryTrialsAsync(12345, new TrialQuery(), default));
    }
}
