using System.Text.Json;
using Hpo.Benchmarks.Suite;

namespace Hpo.Benchmarks.Tests.Suite;

public sealed class SuiteCommandTests : IDisposable
{
    private static readonly string[] Fields = ["function", "sampler", "seed", "best_so_far", "final_regret", "wall_s", "per_trial_overhead_ms", "budget", "f_star"];
    private readonly string directory = Path.Combine(Path.GetTempPath(), "hpo-suite-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_OneSeedTwoFunctions_WritesOneJsonLinePerRunInTheSuiteFormat()
    {
        string file = Path.Combine(directory, "out.jsonl");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(file, "stale line that must be overwritten\n");
        using var stdout = new StringWriter();

        int code = await SuiteCommand.RunAsync(["--tuner", "random", "--seeds", "1", "--out", file, "--functions", "ackley5,branin"], stdout);

        Assert.Equal(0, code);
        string[] lines = await File.ReadAllLinesAsync(file);
        Assert.Equal(2, lines.Length);
        Assert.Equal(["ackley5", "branin"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("function").GetString()));
        foreach (string line in lines)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement o = doc.RootElement;
            Assert.Equal(Fields, o.EnumerateObject().Select(p => p.Name));
            TestFunction f = TestFunctions.Get(o.GetProperty("function").GetString()!);
            Assert.Equal("hpo.random", o.GetProperty("sampler").GetString());
            Assert.Equal(0, o.GetProperty("seed").GetInt32());
            Assert.Equal(f.Budget, o.GetProperty("budget").GetInt32());
            Assert.Equal(f.FStar, o.GetProperty("f_star").GetDouble());
            double[] best = [.. o.GetProperty("best_so_far").EnumerateArray().Select(e => e.GetDouble())];
            Assert.Equal(f.Budget, best.Length);
            Assert.True(best.Zip(best.Skip(1)).All(p => p.Second <= p.First), "best_so_far must never rise");
            Assert.Equal(best[^1] - f.FStar, o.GetProperty("final_regret").GetDouble());
            Assert.True(o.GetProperty("wall_s").GetDouble() > 0);
            Assert.True(o.GetProperty("per_trial_overhead_ms").GetDouble() >= 0);
        }

        string summary = stdout.ToString();
        Assert.Contains("| ackley5 | 100 | 1 |", summary, StringComparison.Ordinal);
        Assert.Contains("| 17.11 |", summary, StringComparison.Ordinal);
        Assert.Contains("| 0.884 |", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownFunction_ThrowsUsageNamingIt()
    {
        var e = await Assert.ThrowsAsync<UsageException>(() => SuiteCommand.RunAsync(["--tuner", "random", "--seeds", "1", "--out", Path.Combine(directory, "x.jsonl"), "--functions", "branin,sphere"], TextWriter.Null));
        Assert.Contains("sphere", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "x.jsonl")));
    }

    [Fact]
    public async Task RunAsync_UnknownTuner_ThrowsUsage()
    {
        var e = await Assert.ThrowsAsync<UsageException>(() => SuiteCommand.RunAsync(["--tuner", "nope", "--seeds", "1", "--out", Path.Combine(directory, "x.jsonl")], TextWriter.Null));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--seeds", "0")]
    [InlineData("--seeds", "x")]
    public async Task RunAsync_BadSeeds_ThrowsUsage(string option, string value)
    {
        await Assert.ThrowsAsync<UsageException>(() => SuiteCommand.RunAsync(["--tuner", "random", option, value, "--out", Path.Combine(directory, "x.jsonl")], TextWriter.Null));
    }

    [Fact]
    public void ParseFunctions_Empty_IsTheWholeSuite()
    {
        Assert.Equal(TestFunctions.All, SuiteCommand.ParseFunctions(string.Empty));
    }

    [Fact]
    public void ParseFunctions_Repeated_ThrowsUsage()
    {
        Assert.Throws<UsageException>(() => SuiteCommand.ParseFunctions("branin, branin"));
    }

    [Theory]
    [InlineData(new[] { 3.0, 1.0, 2.0 }, 2.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    [InlineData(new[] { 7.0 }, 7.0)]
    public void Median_Values_IsTheMiddleOrTheMeanOfTheTwoMiddles(double[] values, double expected)
    {
        Assert.Equal(expected, SuiteCommand.Median(values));
    }

    [Fact]
    public void Summary_MoreThanTenSeeds_AddsTheSeeds0To9Column()
    {
        SuiteResult[] results = [.. Enumerable.Range(0, 12).Select(s => new SuiteResult("branin", "hpo.random", s, [1.0], s, 0.1, 0.01, 50, 0.39788735772973816))];

        string summary = SuiteCommand.Summary("random", results);

        Assert.Contains("median seeds 0..9", summary, StringComparison.Ordinal);
        Assert.Contains("| branin | 50 | 12 | 5.5 | 4.5 |", summary, StringComparison.Ordinal);
    }
}
