using System.Text.Json;
using Hpo.Testing;

namespace Hpo.Cli.Tests;

/// <summary>End to end: the built tool run as a real process (<c>dotnet Hpo.Cli.dll …</c>) against real SQLite files.</summary>
public sealed class ProgramTests(DemoDatabase db) : IClassFixture<DemoDatabase>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Main_StatusAsJson_PrintsTheApisCountsAndExitsZero()
    {
        CliResult result = await RunAsync(folder.Path, "status", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement status = result.Json();
        Assert.Equal(3, status.GetProperty("complete").GetInt32());
        Assert.Equal(db.Trials.Count, status.GetProperty("total").GetInt32());
        Assert.Equal(15, status.GetProperty("remaining").GetInt32());
    }

    [Fact]
    public async Task Main_CreateWithRelativeUrl_CreatesTheFileInTheWorkingFolderAndRefusesADuplicate()
    {
        File.WriteAllText(folder.File("space.json"), DemoDatabase.Space.ToJson());
        string[] create = ["create", "--storage", "sqlite:///sub.db", "--study", "e2e", "--space", "space.json", "--direction", "maximize", "--budget", "4", "--format", "csv"];

        CliResult first = await RunAsync(folder.Path, create);
        CliResult second = await RunAsync(folder.Path, create);
        CliResult best = await RunAsync(folder.Path, "best", "--storage", "sqlite:///sub.db", "--study", "e2e");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(File.Exists(folder.File("sub.db")));
        Assert.Equal(["e2e", "maximize", "random", "4", "0", "0", "0", "0", "0", "0", string.Empty], TextTable.ReadCsv(first.Output)[1][..11]);
        Assert.Equal(1, second.ExitCode);
        Assert.Empty(second.Output);
        Assert.Contains("already exists", second.Error, StringComparison.Ordinal);
        Assert.Equal(1, best.ExitCode);
        Assert.Contains("no complete trial", best.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_UsageError_ExitsTwoWithTheReasonOnStandardError()
    {
        CliResult result = await RunAsync(folder.Path, "trials", "--storage", db.Url);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("'--study NAME' is required", result.Error, StringComparison.Ordinal);
    }

    private static async Task<CliResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        (int exit, string output, string error) = await HpoTool.RunInAsync(workingDirectory, arguments);
        return new CliResult(exit, output.ReplaceLineEndings("\n"), error);
    }
}
