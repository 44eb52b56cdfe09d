using System.Text.Json;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Registries;

namespace Hpo.Cli.Tests.Commands;

public sealed class CreateCommandTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Create_FromSpaceFile_StoresAStudyTheApiLoads()
    {
        string space = folder.Write("space.json", DemoDatabase.Space.ToJson());

        CliResult result = await Cli.RunAsync("create", "--storage", folder.Url(), "--study", "made", "--space", space,
            "--direction", "Maximize", "--tuner", "random", "--budget", "30", "--seed", "-5", "--lease", "2.5", "--max-retries", "3", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement printed = result.Json();
        Assert.Equal("made", printed.GetProperty("name").GetString());
        Assert.Equal("maximize", printed.GetProperty("direction").GetString());
        Assert.Equal(30, printed.GetProperty("budget").GetInt32());
        await using IStudyStorage storage = StorageRegistry.Default.Open(folder.Url());
        Study study = await Study.LoadAsync(storage, "made");
        Assert.Equal(DemoDatabase.Space, study.SearchSpace);
        Assert.Equal(StudyDirection.Maximize, study.Direction);
        Assert.Equal(30, study.Budget);
        Assert.Equal(-5, study.Seed);
        Assert.Equal("random", study.Tuner.Name);
        Assert.Equal(TimeSpan.FromSeconds(2.5), study.Record.Definition.Lease);
        Assert.Equal(3, study.Record.Definition.MaxRetries);
    }

    [Fact]
    public async Task Create_OnlyRequiredOptions_UsesTheDefaults()
    {
        string space = folder.Write("space.json", """{ "parameters": [ { "name": "x", "type": "float", "low": -1, "high": 1 } ] }""");

        CliResult result = await Cli.RunAsync("create", "--storage", folder.Url("new.db"), "--study", "plain", "--space", space, "--direction", "minimize");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(folder.File("new.db")));
        await using IStudyStorage storage = StorageRegistry.Default.Open(folder.Url("new.db"));
        StudyRecord study = (await storage.GetStudyAsync("plain", default))!;
        Assert.Equal(StudyDirection.Minimize, study.Definition.Direction);
        Assert.Null(study.Definition.Budget);
        Assert.Equal("random", study.Definition.TunerName);
        Assert.Equal(new StudyOptions().Lease, study.Definition.Lease);
        Assert.Equal(0, study.Definition.MaxRetries);
    }

    [Fact]
    public async Task Create_DuplicateName_ExitsOneSayingTheStudyExists()
    {
        string space = folder.Write("space.json", DemoDatabase.Space.ToJson());
        string[] arguments = ["create", "--storage", folder.Url(), "--study", "twice", "--space", space, "--direction", "minimize"];
        Assert.Equal(0, (await Cli.RunAsync(arguments)).ExitCode);

        CliResult second = await Cli.RunAsync(arguments);

        Assert.Equal(1, second.ExitCode);
        Assert.Empty(second.Output);
        Assert.Contains("A study named 'twice' already exists", second.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_MissingSpaceFile_ExitsOneNamingTheFile()
    {
        string missing = folder.File("nope.json");

        CliResult result = await Cli.RunAsync("create", "--storage", folder.Url(), "--study", "s", "--space", missing, "--direction", "minimize");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(missing, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("studies.db")));
    }

    [Theory]
    [InlineData("""{ "parameters": [ { "name": "x", "type": "float", "low": 1, "high": 0 } ] }""", "high")]
    [InlineData("""{ "parameters": [ { "name": "x", "type": "float", "low": 0, "high": 1, "colour": 3 } ] }""", "colour")]
    [InlineData("not json", "space.json")]
    public async Task Create_InvalidSpace_ExitsOneWithTheReason(string json, string mentioned)
    {
        string space = folder.Write("space.json", json);

        CliResult result = await Cli.RunAsync("create", "--storage", folder.Url(), "--study", "s", "--space", space, "--direction", "minimize");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not a valid search space", result.Error, StringComparison.Ordinal);
        Assert.Contains(mentioned, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--direction", "sideways", "minimize, maximize")]
    [InlineData("--tuner", "nonesuch", "random")]
    [InlineData("--budget", "0", "at least 1")]
    [InlineData("--budget", "ten", "whole number")]
    [InlineData("--seed", "1.5", "whole number")]
    [InlineData("--lease", "0.01", "at least 0.1")]
    [InlineData("--lease", "-3", "positive duration")]
    [InlineData("--max-retries", "-1", "at least 0")]
    public async Task Create_BadOptionValue_IsAUsageErrorAndCreatesNothing(string option, string value, string message)
    {
        string space = folder.Write("space.json", DemoDatabase.Space.ToJson());
        var arguments = new List<string> { "create", "--storage", folder.Url(), "--study", "s", "--space", space, "--direction", "minimize" };
        int at = arguments.IndexOf(option);
        if (at >= 0)
        {
            arguments[at + 1] = value;
        }
        else
        {
            arguments.AddRange([option, value]);
        }

        CliResult result = await Cli.RunAsync([.. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("studies.db")));
    }

    [Theory]
    [InlineData("--space")]
    [InlineData("--direction")]
    [InlineData("--study")]
    public async Task Create_MissingRequiredOption_IsAUsageError(string option)
    {
        string space = folder.Write("space.json", DemoDatabase.Space.ToJson());
        var arguments = new List<string> { "create", "--storage", folder.Url(), "--study", "s", "--space", space, "--direction", "minimize" };
        arguments.RemoveRange(arguments.IndexOf(option), 2);

        CliResult result = await Cli.RunAsync([.. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{option} ", result.Error, StringComparison.Ordinal);
    }
}
