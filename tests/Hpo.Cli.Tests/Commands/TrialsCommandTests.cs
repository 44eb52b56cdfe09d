using System.Text.Json;
using Hpo.Trials;

namespace Hpo.Cli.Tests.Commands;

public sealed class TrialsCommandTests(DemoDatabase db) : IClassFixture<DemoDatabase>
{
    [Fact]
    public async Task Trials_Json_ListsEveryTrialAsTheApiReadsIt()
    {
        CliResult result = await Cli.RunAsync("trials", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement[] trials = [.. result.Json().EnumerateArray()];
        Assert.Equal(db.Trials.Count, trials.Length);
        foreach ((TrialRecord expected, JsonElement actual) in db.Trials.Zip(trials))
        {
            Assert.Equal(expected.Number, actual.GetProperty("number").GetInt32());
            Assert.Equal(expected.State.ToString().ToLowerInvariant(), actual.GetProperty("state").GetString());
            JsonElement value = actual.GetProperty("value");
            Assert.Equal(expected.Value, value.ValueKind == JsonValueKind.Null ? null : value.GetDouble());
            Assert.Equal(expected.Owner, actual.GetProperty("owner").GetString());
            Assert.Equal(expected.FailReason, actual.GetProperty("failReason").GetString());
            JsonElement duration = actual.GetProperty("duration");
            Assert.Equal(expected.Duration?.TotalSeconds, duration.ValueKind == JsonValueKind.Null ? null : duration.GetDouble());
            var parameters = actual.GetProperty("params").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
            Assert.Equal(expected.Parameters.Keys.Order(), parameters.Keys.Order());
            foreach ((string name, object v) in expected.Parameters)
            {
                object read = v switch
                {
                    double => parameters[name].GetDouble(),
                    long => parameters[name].GetInt64(),
                    _ => parameters[name].GetString()!,
                };
                Assert.Equal(v, read);
            }
        }
    }

    [Theory]
    [InlineData("failed", 1)]
    [InlineData("COMPLETE", 3)]
    [InlineData("running", 1)]
    [InlineData("waiting", 1)]
    public async Task Trials_StateFilter_ListsOnlyThatState(string state, int count)
    {
        CliResult result = await Cli.RunAsync("trials", "--storage", db.Url, "--study", DemoDatabase.Demo, "--state", state, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement[] trials = [.. result.Json().EnumerateArray()];
        Assert.Equal(count, trials.Length);
        Assert.All(trials, t => Assert.Equal(state.ToLowerInvariant(), t.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Trials_UnknownState_IsAUsageErrorListingTheStates()
    {
        CliResult result = await Cli.RunAsync("trials", "--storage", db.Url, "--study", DemoDatabase.Demo, "--state", "done");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("waiting, running, complete, pruned, failed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trials_Csv_QuotesTheFailReasonAndKeepsConditionalParametersBesideTheirSiblings()
    {
        CliResult result = await Cli.RunAsync("trials", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "csv");

        Assert.True(result.ExitCode == 0, result.ToString());
        List<string[]> rows = TextTable.ReadCsv(result.Output);
        Assert.Equal(["number", "state", "value", "params.lr", "params.layers", "params.optimizer", "params.beta1", "duration", "owner", "failReason"], rows[0]);
        Assert.Equal(db.Trials.Count + 1, rows.Count);
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        string[] failed = rows.Single(r => r[1] == "failed");
        Assert.Equal(DemoDatabase.FailReason, failed[9]);
        string[] best = rows.Single(r => r[0] == db.Best.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.25", best[2]);
        Assert.Equal(((double)db.Best.Parameters["lr"]).ToString("R", System.Globalization.CultureInfo.InvariantCulture), best[3]);
        string[] waiting = rows.Single(r => r[1] == "waiting");
        Assert.Equal(["0.001", "3", "adam", "0.9", string.Empty, string.Empty], waiting[3..9]);
    }

    [Fact]
    public async Task Trials_Table_AlignsColumnsOneLinePerTrial()
    {
        CliResult result = await Cli.RunAsync("trials", "--storage", db.Url, "--study", DemoDatabase.Demo);

        Assert.True(result.ExitCode == 0, result.ToString());
        List<string[]> rows = TextTable.ReadTable(result.Lines());
        Assert.Equal(db.Trials.Count + 1, rows.Count);
        Assert.Equal("number", rows[0][0]);
        Assert.Equal(DemoDatabase.FailReason.ReplaceLineEndings(" "), rows.Single(r => r[1] == "failed")[^1]);
        Assert.Equal(DemoDatabase.RunningOwner, rows.Single(r => r[1] == "running")[^2]);
        Assert.All(rows.Skip(1).Where(r => r[1] is "complete" or "pruned" or "failed"), r => Assert.EndsWith("s", r[Array.IndexOf(rows[0], "duration")], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Trials_StudyWithoutTrials_PrintsTheHeaderOrAnEmptyArray()
    {
        CliResult table = await Cli.RunAsync("trials", "--storage", db.Url, "--study", DemoDatabase.Empty);
        CliResult csv = await Cli.RunAsync("trials", "--storage", db.Url, "--study", DemoDatabase.Empty, "--format", "csv");
        CliResult json = await Cli.RunAsync("trials", "--storage", db.Url, "--study", DemoDatabase.Empty, "--format", "json");

        Assert.Equal(2, table.Lines().Length);
        Assert.StartsWith("number", table.Output, StringComparison.Ordinal);
        Assert.Equal(["number,state,value,duration,owner,failReason"], csv.Lines());
        Assert.Equal(0, json.Json().GetArrayLength());
    }
}
