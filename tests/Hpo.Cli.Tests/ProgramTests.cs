using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

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
        var start = new ProcessStartInfo(ToolPaths.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(ToolPaths.Tool());
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, (await output).ReplaceLineEndings("\n"), await error);
    }
}
