using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hpo.Cli.Tests.Commands;

public sealed partial class ReportCommandTests(DemoDatabase db) : IClassFixture<DemoDatabase>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Report_Demo_HasTheApiNumbersAndNoExternalUrl()
    {
        string file = Path.Combine(folder.Path, "report.html");

        CliResult r = await Cli.RunAsync("report", "--storage", db.Url, "--study", DemoDatabase.Demo, "--out", file);

        Assert.True(r.ExitCode == 0, r.ToString());
        string html = await File.ReadAllTextAsync(file);
        JsonElement summary = JsonDocument.Parse(SummaryScript().Match(html).Groups[1].Value).RootElement;
        Assert.Equal(db.Best.Number, summary.GetProperty("best").GetProperty("number").GetInt32());
        Assert.Equal(db.Best.Value, summary.GetProperty("best").GetProperty("value").GetDouble());
        Assert.Equal(db.Trials.Count, summary.GetProperty("counts").GetProperty("total").GetInt32());
        Assert.Equal(db.Trials.Count(t => t.State == Trials.TrialState.Complete), summary.GetProperty("counts").GetProperty("complete").GetInt32());
        Assert.Contains($"id=\"best-number\">{db.Best.Number.ToString(CultureInfo.InvariantCulture)}<", html, StringComparison.Ordinal);
        // No resource is fetched: no src/href to another origin, no @import, no url(http...).
        Assert.DoesNotMatch("(src|href)\\s*=\\s*\"(https?:)?//", html);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("url\\(\\s*['\"]?https?:", html);
        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_EmptyStudy_SaysNoTrialIsComplete()
    {
        string file = Path.Combine(folder.Path, "empty.html");

        CliResult r = await Cli.RunAsync("report", "--storage", db.Url, "--study", DemoDatabase.Empty, "--out", file);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("No trial is complete yet.", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_MissingFolder_FailsBeforeReading()
    {
        CliResult r = await Cli.RunAsync("report", "--storage", db.Url, "--study", DemoDatabase.Demo, "--out", Path.Combine(folder.Path, "no", "such", "r.html"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("does not exist", r.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex("<script type=\"application/json\" id=\"hpo-summary\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex SummaryScript();
}
