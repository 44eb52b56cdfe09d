using System.Text.Json;

namespace Hpo.Cli.Tests.Commands;

public sealed class StatusCommandTests(DemoDatabase db) : IClassFixture<DemoDatabase>
{
    [Fact]
    public async Task Status_Json_IsOneObjectWithCountsByStateBudgetAndRemaining()
    {
        CliResult result = await Cli.RunAsync("status", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Error);
        JsonElement status = result.Json();
        Assert.Equal(JsonValueKind.Object, status.ValueKind);
        Assert.Equal(DemoDatabase.Demo, status.GetProperty("study").GetString());
        Assert.Equal(1, status.GetProperty("waiting").GetInt32());
        Assert.Equal(1, status.GetProperty("running").GetInt32());
        Assert.Equal(3, status.GetProperty("complete").GetInt32());
        Assert.Equal(1, status.GetProperty("pruned").GetInt32());
        Assert.Equal(1, status.GetProperty("failed").GetInt32());
        Assert.Equal(5, status.GetProperty("finished").GetInt32());
        Assert.Equal(db.Trials.Count, status.GetProperty("total").GetInt32());
        Assert.Equal(20, status.GetProperty("budget").GetInt32());
        Assert.Equal(15, status.GetProperty("remaining").GetInt32());
    }

    [Fact]
    public async Task Status_StudyWithoutBudget_BudgetAndRemainingAreNull()
    {
        CliResult result = await Cli.RunAsync("status", "--storage", db.Url, "--study", DemoDatabase.Empty, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement status = result.Json();
        Assert.Equal(0, status.GetProperty("total").GetInt32());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("budget").ValueKind);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("remaining").ValueKind);
    }

    [Fact]
    public async Task Status_Table_AlignsNamesAndValues()
    {
        CliResult result = await Cli.RunAsync("status", "--storage", db.Url, "--study", DemoDatabase.Demo);

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Lines();
        Assert.Equal(["study", "waiting", "running", "complete", "pruned", "failed", "finished", "total", "budget", "remaining"], lines.Select(l => l.Split(' ')[0]));
        int valueColumn = "remaining".Length + 2;
        Assert.All(lines, l => Assert.True(l[valueColumn - 1] == ' ' && l[valueColumn] != ' ', $"'{l}' is not aligned."));
        Assert.Equal("complete   3", lines[3]);
    }

    [Fact]
    public async Task Status_Csv_IsHeaderAndOneRow()
    {
        CliResult result = await Cli.RunAsync("status", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "csv");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["study,waiting,running,complete,pruned,failed,finished,total,budget,remaining", "demo,1,1,3,1,1,5,7,20,15"], result.Lines());
    }

    [Fact]
    public async Task Status_UnknownStudy_ExitsOneNamingTheStudiesThereAre()
    {
        CliResult result = await Cli.RunAsync("status", "--storage", db.Url, "--study", "nope");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("no study named 'nope'", result.Error, StringComparison.Ordinal);
        Assert.Contains("demo, empty", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_MissingDatabaseFile_ExitsOneAndCreatesNoFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hpo-cli-missing-{Guid.NewGuid():N}.db");

        CliResult result = await Cli.RunAsync("status", "--storage", "sqlite:///" + path, "--study", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
