namespace Hpo.Cli.Tests.Storage;

/// <summary>
/// Every command, every failure path that a storage URL or connection string can take before a database answers: standard output
/// and standard error never hold the password (as written, or percent-decoded). The paths that need a live PostgreSQL server
/// (authentication failure, a duplicate study) are in Hpo.PostgreSql.Tests.
/// </summary>
public sealed class SecretLeakTests
{
    private const string Secret = "Hunter2Secret";

    /// <summary>The secret-bearing storage values: (value, what it exercises).</summary>
    public static readonly TheoryData<string, string> Urls = new()
    {
        { $"mysql://hpo:{Secret}@db.internal/studies", "unknown scheme" },
        { $"Host=db.internal;Username=hpo;Password={Secret};Database=studies", "a connection string, not a URL" },
        { $"Host=db.internal;Password=\"{Secret} x\";Database=studies", "a connection string with a quoted password" },
        { $"postgresql://hpo:{Secret}@db.internal:99999/studies", "port out of range" },
        { $"postgresql://hpo:{Secret}@db.internal:notaport/studies", "port not a number" },
        { $"postgresql://hpo:{Secret}@db.internal/studies?sslmode=sometimes", "bad sslmode" },
        { $"postgresql://hpo:{Secret}@db.internal/studies?no_such_option=1", "unknown option" },
        { $"postgresql://hpo:{Secret}@db.internal/studies?durability=sometimes", "bad durability" },
        { $"postgresql://hpo:{Secret}@[::1/studies", "IPv6 host without a bracket" },
        { $"postgresql://hpo:Pa@ss{Secret}@db.internal:99999/studies", "a password with a raw @" },
        { $"postgresql://hpo:Pa/ss{Secret}@db.internal:99999/studies", "a password with a raw /" },
        { $"postgresql://hpo:Pa/s@s?{Secret}@db.internal:99999/studies", "a password with raw /, @ and ?" },
        { $"postgresql://hpo@db.internal:99999/studies?password={Secret}", "?password=" },
        { $"postgresql://hpo@db.internal/studies?sslmode=bad&password={Secret}", "?password= after a bad option" },
        { $"postgresql://hpo@db.internal/studies?password={Secret}&port=x", "?password= and a bad port option" },
        { $"postgresql://hpo:{Uri.EscapeDataString("p@ss/" + Secret)}@db.internal:99999/studies", "a percent-encoded password" },
        { $"sqlite:///no/such/folder/db.sqlite?password={Secret}", "a missing SQLite file" },
        { $"{Secret}", "a bare word" },
    };

    public static IEnumerable<object[]> Cases()
    {
        foreach (object[] url in Urls)
        {
            foreach (string command in Commands)
            {
                yield return [command, url[0], url[1]];
            }
        }
    }

    private static readonly string[] Commands = ["studies", "trials", "best", "status", "create", "worker"];

    private static string[] Arguments(string command, string storageArguments) => command switch
    {
        "studies" => ["studies"],
        "create" => ["create", "--study", "s", "--space", WriteSpace(), "--direction", "minimize"],
        "worker" => ["worker", "--study", "s", "--command", "true", "--verbose"],
        _ => [command, "--study", "s"],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Command_SecretBearingStorageOnTheCommandLine_NeverPrintsTheSecret(string command, string url, string path)
    {
        CliResult result = await Cli.RunAsync([.. Arguments(command, url), "--storage", url]);

        AssertNoSecret(result, $"{command} with {path}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Command_SecretBearingStorageFromHpoStorage_NeverPrintsTheSecret(string command, string url, string path)
    {
        CliResult result = await Cli.RunWithEnvironmentAsync(new Dictionary<string, string> { ["HPO_STORAGE"] = url }, Arguments(command, url));

        AssertNoSecret(result, $"{command} with HPO_STORAGE holding {path}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Command_SecretBearingStorageFile_NeverPrintsTheSecret(string command, string url, string path)
    {
        using var folder = new TempFolder();
        string file = folder.Write("storage-url", url + "\n");

        CliResult result = await Cli.RunAsync([.. Arguments(command, url), "--storage-file", file]);

        AssertNoSecret(result, $"{command} with --storage-file holding {path}");
    }

    [Theory]
    [InlineData("studies")]
    [InlineData("create")]
    [InlineData("worker")]
    public async Task Command_StorageGivenTwice_UsageErrorWithoutTheSecret(string command)
    {
        string url = $"postgresql://hpo:{Secret}@db.internal/studies";

        CliResult result = await Cli.RunAsync([.. Arguments(command, url), "--storage", url, "--storage", url + "2"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("given twice", result.Error, StringComparison.Ordinal);
        AssertNoSecret(result, $"{command} with --storage twice");
    }

    [Fact]
    public async Task Command_StorageAndStorageFile_UsageErrorWithoutTheSecret()
    {
        using var folder = new TempFolder();
        string url = $"postgresql://hpo:{Secret}@db.internal/studies";
        string file = folder.Write("storage-url", url);

        CliResult result = await Cli.RunAsync("studies", "--storage", url, "--storage-file", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not both", result.Error, StringComparison.Ordinal);
        AssertNoSecret(result, "--storage and --storage-file");
    }

    private static void AssertNoSecret(CliResult result, string what)
    {
        Assert.False(result.Error.Contains(Secret, StringComparison.Ordinal) || result.Output.Contains(Secret, StringComparison.Ordinal), $"{what}: the secret was printed.{Environment.NewLine}{result}");
        Assert.False(result.ExitCode != 0 && result.Error.Length == 0, $"{what}: failed without a message.");
    }

    private static string WriteSpace()
    {
        string path = Path.Combine(Path.GetTempPath(), "hpo-cli-tests", "secret-space.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, """{ "parameters": [ { "name": "x", "type": "float", "low": 0, "high": 1 } ] }""");
        return path;
    }
}
