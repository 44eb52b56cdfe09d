using System.Text.Json;
using Hpo.Benchmarks.Overhead;
using Hpo.Registries;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Tests.Shared;
using Npgsql;

namespace Hpo.Benchmarks.Tests.Overhead;

/// <summary>The overhead benchmark prints and serialises its storage URL without the password.</summary>
public sealed class OverheadSecretTests
{
    [Fact]
    public async Task RunAsync_UrlWithPassword_MasksItInEveryLineAndInTheJson()
    {
        // A scheme of this test that opens an in-memory storage, so that the real command path runs with a password in its URL.
        const string Secret = "s3cr3t-overhead-pw";
        StorageRegistry.Default.Register("secretmem", _ => new InMemoryStudyStorage());
        string url = $"secretmem://bench:{Secret}@localhost/db";
        using var stdout = new StringWriter();

        int code = await OverheadCommand.RunAsync(["--storage", url, "--trials", "40", "--warmup", "0", "--warmup-ms", "0", "--mode", "in-process"], stdout);

        string output = stdout.ToString();
        Assert.Equal(0, code);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
        Assert.Contains($"storage secretmem://bench:{StudyStorage.SecretMask}@localhost/db", output, StringComparison.Ordinal);
        JsonElement result = LastLineJson(output);
        Assert.Equal($"secretmem://bench:{StudyStorage.SecretMask}@localhost/db", result.GetProperty("storage").GetString());
        Assert.Equal(40, result.GetProperty("completed").GetInt32());
    }

    [PostgreSqlFact]
    public async Task RunAsync_PostgreSqlUrlWithPasswordAndWorkerProcesses_NeverShowsThePassword()
    {
        var admin = new NpgsqlConnectionStringBuilder(PostgreSqlFactAttribute.RequiredConnectionString);
        string password = admin.Password ?? throw new InvalidOperationException("HPO_TEST_POSTGRES has no password; .ci/postgres.sh sets one.");
        string url = $"postgresql://{Uri.EscapeDataString(admin.Username!)}:{Uri.EscapeDataString(password)}@{admin.Host}:{admin.Port}/{Uri.EscapeDataString(admin.Database!)}";
        using var stdout = new StringWriter();

        int code = await OverheadCommand.RunAsync(["--storage", url, "--trials", "30", "--processes", "2", "--warmup", "0", "--warmup-ms", "0"], stdout, WorkerCommand.Dotnet());

        string output = stdout.ToString();
        Assert.True(code == 0, output);
        Assert.DoesNotContain(password, output, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(password), output, StringComparison.Ordinal);
        JsonElement result = LastLineJson(output);
        Assert.Equal(StudyStorage.Redact(url), result.GetProperty("storage").GetString());
        Assert.Contains(StudyStorage.SecretMask, result.GetProperty("storage").GetString(), StringComparison.Ordinal);
        Assert.Equal(30, result.GetProperty("completed").GetInt32());
    }

    private static JsonElement LastLineJson(string output) =>
        JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1]).RootElement.Clone();
}
