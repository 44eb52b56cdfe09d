using System.Text.Json;

namespace Hpo.Cli.Tests.Commands;

public sealed class BestCommandTests(DemoDatabase db) : IClassFixture<DemoDatabase>
{
    [Fact]
    public async Task Best_Json_IsTheApisBestTrialWithItsParameters()
    {
        CliResult result = await Cli.RunAsync("best", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement best = result.Json();
        Assert.Equal(JsonValueKind.Object, best.ValueKind);
        Assert.Equal(db.Best.Number, best.GetProperty("number").GetInt32());
        Assert.Equal(0.25, best.GetProperty("value").GetDouble());
        Assert.Equal("minimize", best.GetProperty("direction").GetString());
        JsonElement parameters = best.GetProperty("params");
        Assert.Equal((double)db.Best.Parameters["lr"], parameters.GetProperty("lr").GetDouble());
        Assert.Equal((long)db.Best.Parameters["layers"], parameters.GetProperty("layers").GetInt64());
        Assert.Equal((string)db.Best.Parameters["optimizer"], parameters.GetProperty("optimizer").GetString());
        Assert.Equal(db.Best.Parameters.Count, parameters.EnumerateObject().Count());
        Assert.Equal(db.Best.FinishedAt, best.GetProperty("finished").GetDateTimeOffset());
    }

    [Fact]
    public async Task Best_Table_ShowsOneParameterPerLine()
    {
        CliResult result = await Cli.RunAsync("best", "--storage", db.Url, "--study", DemoDatabase.Demo);

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Lines();
        Assert.Contains(lines, l => l.StartsWith("value ", StringComparison.Ordinal) && l.EndsWith(" 0.25", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("params.optimizer ", StringComparison.Ordinal) && l.EndsWith(" " + db.Best.Parameters["optimizer"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Best_Csv_IsHeaderAndOneRow()
    {
        CliResult result = await Cli.RunAsync("best", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "csv");

        Assert.True(result.ExitCode == 0, result.ToString());
        List<string[]> rows = TextTable.ReadCsv(result.Output);
        Assert.Equal(2, rows.Count);
        Assert.Equal("0.25", rows[1][Array.IndexOf(rows[0], "value")]);
    }

    [Fact]
    public async Task Best_NoCompleteTrial_ExitsOneAndSaysSo()
    {
        CliResult result = await Cli.RunAsync("best", "--storage", db.Url, "--study", DemoDatabase.Empty);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("no complete trial", result.Error, StringComparison.Ordinal);
    }
}
