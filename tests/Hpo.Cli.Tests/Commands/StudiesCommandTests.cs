using System.Text.Json;
using Hpo.Cli.Commands;

namespace Hpo.Cli.Tests.Commands;

public sealed class StudiesCommandTests(DemoDatabase db) : IClassFixture<DemoDatabase>
{
    [Fact]
    public async Task Studies_Json_ListsEveryStudyOldestFirstWithCountsAndBest()
    {
        CliResult result = await Cli.RunAsync("studies", "--storage", db.Url, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement[] studies = [.. result.Json().EnumerateArray()];
        Assert.Equal([DemoDatabase.Demo, DemoDatabase.Empty], studies.Select(s => s.GetProperty("name").GetString()));
        JsonElement demo = studies[0];
        Assert.Equal("minimize", demo.GetProperty("direction").GetString());
        Assert.Equal("random", demo.GetProperty("tuner").GetString());
        Assert.Equal(20, demo.GetProperty("budget").GetInt32());
        Assert.Equal([1, 1, 3, 1, 1], new[] { "waiting", "running", "complete", "pruned", "failed" }.Select(s => demo.GetProperty(s).GetInt32()));
        Assert.Equal(0.25, demo.GetProperty("best").GetDouble());
        JsonElement empty = studies[1];
        Assert.Equal("maximize", empty.GetProperty("direction").GetString());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("budget").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("best").ValueKind);
        Assert.True(demo.GetProperty("created").GetDateTimeOffset() <= empty.GetProperty("created").GetDateTimeOffset());
    }

    [Fact]
    public async Task Studies_Table_AlignsColumnsAndRightAlignsNumbers()
    {
        CliResult result = await Cli.RunAsync("studies", "--storage", db.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Lines();
        List<string[]> rows = TextTable.ReadTable(lines);
        Assert.Equal(StudyFields.StudyColumns, rows[0]);
        Assert.Equal(["empty", "maximize", "random", "-", "0", "0", "0", "0", "0", "-"], rows[2][..^1]);
        int budgetEnd = lines[1].Split("  ").Take(4).Sum(s => s.Length + 2) - 2;
        Assert.Equal('0', lines[2][budgetEnd - 1]);
        Assert.Equal('2', lines[2][budgetEnd - 2]);
    }

    [Fact]
    public async Task Studies_Csv_HasHeaderAndEmptyFieldsForMissingValues()
    {
        CliResult result = await Cli.RunAsync("studies", "--storage", db.Url, "--format", "csv");

        Assert.True(result.ExitCode == 0, result.ToString());
        List<string[]> rows = TextTable.ReadCsv(result.Output);
        Assert.Equal(StudyFields.StudyColumns, rows[0]);
        Assert.Equal(3, rows.Count);
        Assert.Equal(string.Empty, rows[2][3]);
        Assert.Equal("0.25", rows[1][9]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", rows[1][10]);
    }
}
