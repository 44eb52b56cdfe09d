using Hpo.PostgreSql.Tests.Support;
using Hpo.Testing;
using Npgsql;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The hpo tool against a live PostgreSQL server with password authentication, in the failure paths that need one: a wrong
/// password (the server refuses), a duplicate study name (the URL is right). Standard output and error never hold the password.
/// </summary>
[RequiresPostgreSql]
public sealed class CliSecretTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    private const string WrongPassword = "Wr0ng-Secret-Pa55word";

    private static readonly string[] Readers = ["studies", "trials", "best", "status"];

    private string WrongUrl()
    {
        var b = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = WrongPassword };
        return PostgreSqlTestServer.UrlOf(b.ConnectionString);
    }

    [Fact]
    public async Task EveryCommand_WrongPassword_FailsWithoutPrintingIt()
    {
        string url = WrongUrl();
        string space = Path.Combine(Path.GetTempPath(), $"hpo-space-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(space, """{ "parameters": [ { "name": "x", "type": "float", "low": 0, "high": 1 } ] }""");
        try
        {
            List<string[]> commands = [.. Readers.Select(c => c == "studies" ? new[] { c, "--storage", url } : [c, "--storage", url, "--study", "s"])];
            commands.Add(["create", "--storage", url, "--study", "s", "--space", space, "--direction", "minimize"]);
            commands.Add(["worker", "--storage", url, "--study", "s", "--command", "true", "--verbose"]);
            foreach (string[] arguments in commands)
            {
                (int exit, string output, string error) = await HpoTool.RunAsync(arguments);

                Assert.True(exit == 1, $"hpo {arguments[0]} exited with {exit}: {error}");
                Assert.Contains("password authentication failed", error, StringComparison.Ordinal);
                Assert.DoesNotContain(WrongPassword, output + error, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(space);
        }
    }

    [Fact]
    public async Task Create_DuplicateName_FailsWithoutPrintingThePassword()
    {
        string url = database.Url;
        string password = new NpgsqlConnectionStringBuilder(database.ConnectionString).Password!;
        Assert.False(string.IsNullOrEmpty(password), "The test server must use password authentication (.ci/postgres.sh).");
        string space = Path.Combine(Path.GetTempPath(), $"hpo-space-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(space, """{ "parameters": [ { "name": "x", "type": "float", "low": 0, "high": 1 } ] }""");
        try
        {
            string[] create = ["create", "--storage", url, "--study", "dup", "--space", space, "--direction", "minimize"];
            (int first, _, string firstError) = await HpoTool.RunAsync(create);
            Assert.True(first == 0, firstError);

            (int exit, string output, string error) = await HpoTool.RunAsync(create);

            Assert.Equal(1, exit);
            Assert.Contains("already exists", error, StringComparison.Ordinal);
            Assert.DoesNotContain(password, output + error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(space);
        }
    }
}
