using System.Diagnostics;
using System.Text.Json;
using Hpo.Cli.Parsing;
using Hpo.Testing;

namespace Hpo.Cli.Tests.Parsing;

/// <summary>What System.CommandLine brings to <c>hpo</c>: tab completion, typo suggestions, response files, help and version.</summary>
public sealed class CommandLineSyntaxTests(DemoDatabase db) : IClassFixture<DemoDatabase>, IDisposable
{
    private const string Secret = "Hunter2Secret";

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("bash", "complete -o default -o bashdefault -F _hpo_complete hpo")]
    [InlineData("zsh", "compdef _hpo hpo")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName hpo")]
    [InlineData("PowerShell", "Register-ArgumentCompleter -Native -CommandName hpo")]
    public async Task Completion_Shell_PrintsItsScriptThatAsksTheSuggestDirective(string shell, string registration)
    {
        CliResult result = await Cli.RunAsync("completion", shell);

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Contains(registration, result.Output, StringComparison.Ordinal);
        Assert.Contains("[suggest:", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("must be one of bash, zsh, pwsh, but got 'fish'", "completion", "fish")]
    [InlineData("Did you mean 'bash'", "completion", "bsh")]
    [InlineData("Argument 'SHELL' is required", "completion")]
    [InlineData("Unexpected argument 'zsh'", "completion", "bash", "zsh")]
    public async Task Completion_NoOrUnknownShell_UsageErrorNamingTheShells(string message, params string[] arguments)
    {
        CliResult result = await Cli.RunAsync(arguments);

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'hpo completion --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("completion", "--help")]
    [InlineData("help", "completion")]
    public async Task Completion_Help_SaysHowToInstallEachScript(params string[] arguments)
    {
        CliResult result = await Cli.RunAsync(arguments);

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.StartsWith("Usage: hpo completion bash|zsh|pwsh", result.Output, StringComparison.Ordinal);
        Assert.Contains("source <(hpo completion bash)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Overview_ListsCompletionAndResponseFiles()
    {
        CliResult result = await Cli.RunAsync("--help");

        Assert.Contains("  completion", result.Output, StringComparison.Ordinal);
        Assert.Contains("@FILE", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hpo stat", new[] { "status" })]
    [InlineData("hpo st", new[] { "status", "studies" })]
    [InlineData("hpo trials --format ", new[] { "csv", "json", "table" })]
    [InlineData("hpo create --direction m", new[] { "maximize", "minimize" })]
    [InlineData("hpo plot im", new[] { "importance" })]
    [InlineData("hpo trials --state fa", new[] { "failed" })]
    [InlineData("hpo completion ", new[] { "bash", "pwsh", "zsh" })]
    [InlineData("/usr/local/bin/hpo help wor", new[] { "worker" })]
    public async Task Suggest_PartialLine_CompletesCommandsAndChoices(string line, string[] expected)
    {
        CliResult result = await Cli.RunAsync($"[suggest:{line.Length}]", line);

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.Equal(expected, result.Lines().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Suggest_OptionPrefix_CompletesTheCommandsOptionsIncludingStorageFile()
    {
        CliResult result = await Cli.RunAsync("[suggest]", "hpo trials --st");

        Assert.Equal(["--state", "--storage", "--storage-file", "--study"], result.Lines().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Suggest_CursorInsideTheLine_CompletesTheWordBeforeTheCursor()
    {
        CliResult result = await Cli.RunAsync("[suggest:8]", "hpo stat --study demo");

        Assert.Equal(["status"], result.Lines());
    }

    [Fact]
    public async Task Suggest_NeverOpensTheStorage()
    {
        string missing = folder.Url("never-created.db");

        CliResult result = await Cli.RunAsync("[suggest]", $"hpo trials --storage {missing} --study ");

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.False(File.Exists(folder.File("never-created.db")));
    }

    [Theory]
    [InlineData("stauts", "Did you mean 'status'?")]
    [InlineData("studys", "Did you mean 'studies'?")]
    [InlineData("wroker", "Did you mean 'worker'?")]
    public async Task UnknownCommand_Typo_SuggestsTheClosestCommand(string typo, string suggestion)
    {
        CliResult result = await Cli.RunAsync(typo, "--storage", db.Url);

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains($"Unknown command '{typo}'", result.Error, StringComparison.Ordinal);
        Assert.Contains(suggestion, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_NothingClose_SuggestsNothing()
    {
        CliResult result = await Cli.RunAsync("xyzzy");

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.DoesNotContain("Did you mean", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--stuudy", "Did you mean '--study'?")]
    [InlineData("--formt", "Did you mean '--format'?")]
    [InlineData("--storage-fle", "Did you mean '--storage-file'?")]
    public async Task UnknownOption_Typo_SuggestsTheClosestOption(string typo, string suggestion)
    {
        CliResult result = await Cli.RunAsync("status", "--storage", db.Url, typo, "x");

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains($"Unknown option '{typo}'", result.Error, StringComparison.Ordinal);
        Assert.Contains(suggestion, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownToolOption_BeforeTheCommand_UsageErrorWithASuggestion()
    {
        CliResult result = await Cli.RunAsync("--verison");

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains("Unknown option '--verison'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Did you mean '--version'?", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseFile_ArgumentsOneOrMoreALineWithQuotesAndComments_RunLikeTheCommandLine()
    {
        string file = folder.Write("status.rsp", $"# the demo study's counts\nstatus\n--storage '{db.Url}'\n\n--study \"{DemoDatabase.Demo}\" --format json\n");

        CliResult direct = await Cli.RunAsync("status", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "json");
        CliResult fromFile = await Cli.RunAsync("@" + file);

        Assert.Equal(HpoCli.Success, fromFile.ExitCode);
        Assert.Equal(direct.Output, fromFile.Output);
    }

    [Fact]
    public async Task ResponseFile_MixedWithArguments_ExpandsInPlace()
    {
        string file = folder.Write("storage.rsp", $"--storage {db.Url}\n");

        CliResult result = await Cli.RunAsync("best", "@" + file, "--study", DemoDatabase.Demo, "--format", "json");

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.Equal(0.25, result.Json().GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task ResponseFile_Missing_UsageErrorNamingThePath()
    {
        CliResult result = await Cli.RunAsync("status", "@" + folder.File("nope.rsp"));

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains("Response file '@", result.Error, StringComparison.Ordinal);
        Assert.Contains(folder.File("nope.rsp"), result.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseFile_UnclosedQuote_UsageErrorNamingTheLine()
    {
        string file = folder.Write("bad.rsp", "status\n--study 'demo\n");

        CliResult result = await Cli.RunAsync("@" + file);

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains("line 2", result.Error, StringComparison.Ordinal);
        Assert.Contains("not closed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseFile_TooLarge_UsageErrorInsteadOfReadingOn()
    {
        string file = folder.Write("huge.rsp", new string('x', CommandLineSyntax.MaxResponseFileChars + 10));

        CliResult result = await Cli.RunAsync("studies", "@" + file);

        Assert.Equal(HpoCli.UsageError, result.ExitCode);
        Assert.Contains("at most 1024 KiB", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseFile_SecretBearingStorage_NeverPrintsTheSecret()
    {
        string file = folder.Write("secret.rsp", $"--storage postgresql://hpo:{Secret}@db.internal:99999/studies\n--study s\n");

        CliResult twice = await Cli.RunAsync("trials", "@" + file, "--storage", $"postgresql://hpo:{Secret}x@db.internal/studies");
        CliResult bad = await Cli.RunAsync("trials", "@" + file);

        Assert.Equal(HpoCli.UsageError, twice.ExitCode);
        Assert.Contains("given twice", twice.Error, StringComparison.Ordinal);
        Assert.NotEqual(HpoCli.Success, bad.ExitCode);
        Assert.DoesNotContain(Secret, twice.Error + twice.Output + bad.Error + bad.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsExactlyTheToolsVersion()
    {
        CliResult result = await Cli.RunAsync("--version");

        Assert.Equal(HpoCli.Version + "\n", result.Output);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Verbose_BeforeTheCommand_IsAccepted()
    {
        CliResult result = await Cli.RunAsync("-v", "status", "--storage", db.Url, "--study", DemoDatabase.Demo, "--format", "json");

        Assert.Equal(HpoCli.Success, result.ExitCode);
        Assert.Equal(JsonValueKind.Object, result.Json().ValueKind);
    }

    [Fact]
    public void Parse_ColonSeparatedValue_ReadsIt()
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage:sqlite:///a.db"], [new("--storage", "URL", "storage")]);

        Assert.Equal("sqlite:///a.db", options.Get("--storage"));
    }

    [Fact]
    public async Task BashScript_TabInARealBash_CompletesCommandsAndOptions()
    {
        // A real bash sources the printed script; 'hpo' in it is the built tool.
        string script = (await Cli.RunAsync("completion", "bash")).Output;
        File.WriteAllText(folder.File("hpo.bash"), script);

        string Complete(string line) =>
            $"COMP_LINE='{line}'; COMP_POINT={line.Length}; read -r -a COMP_WORDS <<< \"$COMP_LINE\"; " +
            $"{(line.EndsWith(' ') ? "COMP_WORDS+=(''); " : string.Empty)}COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _hpo_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"; echo ---";
        string commands = $"hpo() {{ '{BuiltTools.DotnetHost}' '{HpoTool.Path}' \"$@\"; }}; source '{folder.File("hpo.bash")}'; {Complete("hpo stat")}; {Complete("hpo trials --form")}; {Complete("hpo trials --format ")}; complete -p hpo";

        var start = new ProcessStartInfo("bash", ["--norc", "--noprofile", "-c", commands]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process bash = Process.Start(start)!;
        Task<string> error = bash.StandardError.ReadToEndAsync();
        string output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();

        string[] blocks = output.Split("---\n");
        Assert.True(blocks.Length == 4, $"bash printed:\n{output}\nstderr:\n{await error}");
        Assert.Equal(["status"], blocks[0].TrimEnd('\n').Split('\n'));
        Assert.Equal(["--format"], blocks[1].TrimEnd('\n').Split('\n'));
        Assert.Equal(["csv", "json", "table"], blocks[2].TrimEnd('\n').Split('\n').Order(StringComparer.Ordinal));
        Assert.Contains("-F _hpo_complete hpo", blocks[3], StringComparison.Ordinal);
    }
}
