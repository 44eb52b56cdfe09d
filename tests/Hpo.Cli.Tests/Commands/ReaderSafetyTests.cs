using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Microsoft.Data.Sqlite;

namespace Hpo.Cli.Tests.Commands;

/// <summary>
/// Read-only commands never change a database's schema (a newer tool must not upgrade a file under older running workers), and one
/// study whose stored definition is damaged does not break <c>hpo studies</c> for all the others.
/// </summary>
public sealed class ReaderSafetyTests
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build();

    private static async Task CreateAsync(string path, params string[] names)
    {
        await using var storage = new SqliteStudyStorage(path);
        foreach (string name in names)
        {
            await Study.CreateAsync(storage, name, Space, new StudyOptions { Seed = 1 });
        }
    }

    private static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await conn.OpenAsync();
        await using SqliteCommand cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync();
    }

    [Theory]
    [InlineData("studies")]
    [InlineData("status")]
    [InlineData("trials")]
    [InlineData("best")]
    public async Task ReadOnlyCommand_OlderSchema_SaysWhichVersionIsNeededAndLeavesItAsItIs(string command)
    {
        using var folder = new TempFolder();
        string path = folder.File("old.db");
        await CreateAsync(path, "a");
        await ScalarAsync(path, "UPDATE hpo_schema SET version = 1");

        CliResult result = command == "studies"
            ? await Cli.RunAsync(command, "--storage", folder.Url("old.db"))
            : await Cli.RunAsync(command, "--storage", folder.Url("old.db"), "--study", "a");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("schema version 1", result.Error, StringComparison.Ordinal);
        Assert.Contains($"reads version {SqliteStudyStorage.SchemaVersion}", result.Error, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync(path, "SELECT MAX(version) FROM hpo_schema"));
    }

    [Fact]
    public async Task ReadOnlyCommand_SqliteFileWithoutHpoSchema_RefusedAndNotMadeAnHpoDatabase()
    {
        using var folder = new TempFolder();
        string path = folder.File("other.db");
        await ScalarAsync(path, "CREATE TABLE notes (text TEXT)");

        CliResult result = await Cli.RunAsync("studies", "--storage", folder.Url("other.db"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("no Hpo schema", result.Error, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'hpo_schema'"));
    }

    [Fact]
    public async Task Create_OlderSchema_WriterUpgradesIt()
    {
        using var folder = new TempFolder();
        string path = folder.File("old.db");
        await CreateAsync(path, "a");
        await ScalarAsync(path, "UPDATE hpo_schema SET version = 1; ALTER TABLE studies DROP COLUMN n_stale");
        string space = folder.Write("space.json", """{ "parameters": [ { "name": "x", "type": "float", "low": 0, "high": 1 } ] }""");

        CliResult result = await Cli.RunAsync("create", "--storage", folder.Url("old.db"), "--study", "b", "--space", space, "--direction", "minimize");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal((long)SqliteStudyStorage.SchemaVersion, await ScalarAsync(path, "SELECT MAX(version) FROM hpo_schema"));
    }

    [Fact]
    public async Task Studies_OneDamagedDefinition_ListsTheOthersAndNamesTheDamagedOne()
    {
        using var folder = new TempFolder();
        string path = folder.File("mixed.db");
        await CreateAsync(path, "good1", "broken", "good2");
        await ScalarAsync(path, "UPDATE studies SET definition = '{\"name\": \"broken\", \"space\": [' WHERE name = 'broken'");

        CliResult result = await Cli.RunAsync("studies", "--storage", folder.Url("mixed.db"), "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] listed = [.. result.Json().EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];
        Assert.Equal(["good1", "good2"], listed);
        Assert.Contains("study 'broken'", result.Error, StringComparison.Ordinal);
        Assert.Contains("cannot be read", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStudyCatalogAsync_DamagedDefinition_ReportedApartWithItsReason()
    {
        using var folder = new TempFolder();
        string path = folder.File("mixed.db");
        await CreateAsync(path, "good", "broken");
        await ScalarAsync(path, "UPDATE studies SET definition = 'not json' WHERE name = 'broken'");
        await using var storage = new SqliteStudyStorage(path);

        StudyCatalog catalog = await storage.GetStudyCatalogAsync(CancellationToken.None);

        Assert.Equal("good", Assert.Single(catalog.Studies).Name);
        UnreadableStudy bad = Assert.Single(catalog.Unreadable);
        Assert.Equal("broken", bad.Name);
        Assert.NotEmpty(bad.Reason);
    }
}
