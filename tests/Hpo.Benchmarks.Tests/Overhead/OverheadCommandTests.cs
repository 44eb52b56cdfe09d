using System.Text.Json;
using Hpo.Benchmarks.Overhead;

namespace Hpo.Benchmarks.Tests.Overhead;

public sealed class OverheadCommandTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "hpo-overhead-tests-" + Guid.NewGuid().ToString("N"));

    public OverheadCommandTests()
    {
        Directory.CreateDirectory(directory);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task RunAsync_Memory_CompletesEveryTrialOnceAndEndsWithTheJsonLine()
    {
        using var stdout = new StringWriter();

        int code = await OverheadCommand.RunAsync(["--storage", "memory", "--tuner", "random", "--trials", "300", "--processes", "1", "--warmup", "20", "--warmup-ms", "0"], stdout);

        Assert.Equal(0, code);
        JsonElement result = LastLineJson(stdout.ToString());
        Assert.Equal(300, result.GetProperty("completed").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
        Assert.Equal(300, result.GetProperty("evaluations").GetInt32());
        Assert.True(result.GetProperty("trials_per_s").GetDouble() > 0);
        Assert.True(result.GetProperty("wall_s").GetDouble() > 0);
        Assert.True(result.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task RunAsync_MemoryWithSeveralProcesses_ThrowsUsageNamingSqlite()
    {
        var e = await Assert.ThrowsAsync<UsageException>(() => OverheadCommand.RunAsync(["--storage", "memory", "--trials", "10", "--processes", "2"], TextWriter.Null));
        Assert.Contains("sqlite", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SqliteInProcess_StartsFromAFreshFile()
    {
        string file = Path.Combine(directory, "inproc.db");
        await File.WriteAllTextAsync(file, "not a database");
        using var stdout = new StringWriter();

        int code = await OverheadCommand.RunAsync(["--storage", "sqlite:///" + file, "--trials", "60", "--processes", "1", "--warmup", "5", "--warmup-ms", "0", "--mode", "in-process"], stdout);

        Assert.Equal(0, code);
        JsonElement result = LastLineJson(stdout.ToString());
        Assert.Equal(60, result.GetProperty("completed").GetInt32());
        Assert.Equal(60, result.GetProperty("rows").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task RunAsync_TwoWorkerProcessesOnOneSqliteFile_LoseAndDuplicateNothing()
    {
        string file = Path.Combine(directory, "shared.db");
        using var stdout = new StringWriter();

        int code = await OverheadCommand.RunAsync(["--storage", "sqlite:///" + file, "--trials", "200", "--processes", "2", "--warmup", "5", "--warmup-ms", "0"], stdout, WorkerCommand.Dotnet());

        string output = stdout.ToString();
        Assert.True(code == 0, output);
        JsonElement result = LastLineJson(output);
        Assert.Equal(200, result.GetProperty("completed").GetInt32());
        Assert.Equal(200, result.GetProperty("evaluations").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, result.GetProperty("gaps").GetInt32());
        Assert.Contains("worker 1", output, StringComparison.Ordinal);
    }

    private static JsonElement LastLineJson(string output)
    {
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines, l => l.StartsWith('{'));
        Assert.StartsWith("{", lines[^1], StringComparison.Ordinal);
        return JsonDocument.Parse(lines[^1]).RootElement.Clone();
    }
}
