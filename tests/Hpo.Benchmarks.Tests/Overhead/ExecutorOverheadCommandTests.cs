using System.Text.Json;
using Hpo.Benchmarks.Overhead;

namespace Hpo.Benchmarks.Tests.Overhead;

public sealed class ExecutorOverheadCommandTests
{
    private static JsonElement LastLineJson(string output) =>
        JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]).RootElement.Clone();

    [Fact]
    public async Task RunAsync_ShellChildProcesses_CompletesEveryTrialAndReportsItsCostAgainstInProcess()
    {
        using var stdout = new StringWriter();

        int code = await ExecutorOverheadCommand.RunAsync(["--executor", "process", "--program", "sh", "--trials", "5", "--warmup", "1"], stdout);

        Assert.Equal(0, code);
        JsonElement result = LastLineJson(stdout.ToString());
        Assert.Equal("process", result.GetProperty("executor").GetString());
        Assert.Equal(5, result.GetProperty("completed").GetInt32());
        Assert.True(result.GetProperty("per_trial_ms").GetDouble() > result.GetProperty("inprocess_per_trial_ms").GetDouble());
        Assert.True(result.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task RunAsync_CSharpTrialProgram_CompletesWithXSquared()
    {
        using var stdout = new StringWriter();

        int code = await ExecutorOverheadCommand.RunAsync(["--executor", "process", "--program", "csharp", "--trials", "2", "--warmup", "0"], stdout, WorkerCommand.Dotnet());

        Assert.True(code == 0, stdout.ToString());
        JsonElement result = LastLineJson(stdout.ToString());
        Assert.Equal(2, result.GetProperty("completed").GetInt32());
        Assert.Equal(0, result.GetProperty("wrong_values").GetInt32());
    }

    [Theory]
    [InlineData("--executor", "vm")]
    [InlineData("--executor", "process", "--program", "python")]
    public async Task RunAsync_UnknownChoice_UsageError(params string[] args)
    {
        await Assert.ThrowsAsync<UsageException>(() => ExecutorOverheadCommand.RunAsync(args, TextWriter.Null));
    }
}
