using System.Text.Json;
using Hpo.Cli.Storage;

namespace Hpo.Cli.Tests;

public sealed class HpoCliTests(DemoDatabase db) : IClassFixture<DemoDatabase>
{
    public static TheoryData<string> CommandNames => [.. HpoCli.Commands.Select(c => c.Name)];

    [Fact]
    public async Task RunAsync_NoArguments_PrintsTheOverviewOnStandardErrorAndExitsTwo()
    {
        CliResult result = await Cli.RunAsync();

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("Commands:", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task RunAsync_Help_PrintsEveryCommandAndExitsZero(string help)
    {
        CliResult result = await Cli.RunAsync(help);

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.All(HpoCli.Commands, c => Assert.Contains($"  {c.Name}", result.Output, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task RunAsync_CommandHelp_ListsItsOptionsAndExitsZeroWithoutCheckingThem(string name)
    {
        CliResult flag = await Cli.RunAsync(name, "--bogus", "--help");
        CliResult topic = await Cli.RunAsync("help", name);

        Assert.Equal(HpoCli.Success, flag.ExitCode);
        Assert.Equal(flag.Output, topic.Output);
        Assert.Matches($"^Usage: hpo {name} (KIND )?{System.Text.RegularExpressions.Regex.Escape(HpoCli.Commands.Single(c => c.Name == name).Options[0].Name)} ", flag.Output);
        Assert.All(HpoCli.Commands.Single(c => c.Name == name).Options, o => Assert.Contains(o.Name, flag.Output, StringComparison.Ordinal));
        Assert.Contains("Exit codes", flag.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Version_PrintsTheVersion()
    {
        CliResult result = await Cli.RunAsync("--version");

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Output);
    }

    [Fact]
    public async Task RunAsync_UnknownCommand_ExitsTwoListingTheCommands()
    {
        CliResult result = await Cli.RunAsync("stauts", "--storage", db.Url);

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains("Unknown command 'stauts'", result.Error, StringComparison.Ordinal);
        Assert.Contains("studies, trials, best, status, create", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--stuudy", "demo")]
    [InlineData("demo")]
    [InlineData("--study")]
    public async Task RunAsync_MalformedOptions_ExitsTwoPointingToTheHelp(params string[] extra)
    {
        CliResult result = await Cli.RunAsync(["status", "--storage", db.Url, .. extra]);

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("Run 'hpo status --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingStorage_ExitsTwo()
    {
        CliResult result = await Cli.RunAsync("studies");

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains("'--storage URL' is required", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownFormat_ExitsTwo()
    {
        CliResult result = await Cli.RunAsync("studies", "--storage", db.Url, "--format", "xml");

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains("table, json, csv", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("studies.db")]
    [InlineData("mysql://localhost/db")]
    [InlineData("sqlite://")]
    public async Task RunAsync_MalformedStorageUrl_ExitsTwo(string url)
    {
        CliResult result = await Cli.RunAsync("studies", "--storage", url);

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains("--storage", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MemoryStorage_WarnsThatItIsEmpty()
    {
        CliResult result = await Cli.RunAsync("studies", "--storage", "memory", "--format", "json");

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.Equal(0, result.Json().GetArrayLength());
        Assert.Contains("'memory' storage starts empty", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FormatOptionAnywhere_IsCaseInsensitive()
    {
        CliResult result = await Cli.RunAsync("status", "--format=JSON", "--study", DemoDatabase.Demo, "--storage=" + db.Url);

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.Equal(JsonValueKind.Object, result.Json().ValueKind);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ExitsOneAndPrintsNoResult()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        int exit = await HpoCli.RunAsync(["studies", "--storage", db.Url], output, error, new StorageOpener(error), new CancellationToken(canceled: true));

        Assert.Equal(HpoCli.RuntimeError, exit);
        Assert.Empty(output.ToString());
        Assert.Contains("Cancelled", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnexpectedException_ExitsOneWithTheDetailsOnStandardError()
    {
        using var output = new BrokenWriter();
        using var error = new StringWriter();

        int exit = await HpoCli.RunAsync(["studies", "--storage", db.Url], output, error, new StorageOpener(error));

        Assert.Equal(HpoCli.RuntimeError, exit);
        Assert.Contains("unexpected error: System.NotImplementedException: broken pipe", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class BrokenWriter : StringWriter
    {
        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) => throw new NotImplementedException("broken pipe");
    }
}
