using Hpo.Cli.Parsing;
using Hpo.Cli.Storage;
using Hpo.Storage;
using Hpo.Registries;

namespace Hpo.Cli.Tests.Storage;

public sealed class StorageOpenerTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly StringWriter error = new();

    public void Dispose()
    {
        folder.Dispose();
        error.Dispose();
    }

    [Theory]
    [InlineData("postgresql://hpo@db.invalid:5432/hpo")]
    [InlineData("postgres://hpo@db.invalid/hpo")]
    public async Task Open_PostgreSql_UsesTheProviderTheToolRegistersExplicitly(string url)
    {
        var opener = new StorageOpener(error);
        Assert.True(opener.Registry.Contains("postgresql"));
        Assert.True(opener.Registry.Contains("postgres"));

        // Nothing is sent before the first operation, so no server is needed.
        await using IStudyStorage storage = opener.Open(url, mustExist: true);

        Assert.IsType<Hpo.PostgreSql.PostgreSqlStudyStorage>(storage);
    }

    [Fact]
    public void Open_MissingSqliteFileForReading_ThrowsAndCreatesNoFile()
    {
        var opener = new StorageOpener(error);

        CliException e = Assert.Throws<CliException>(() => opener.Open(folder.Url("absent.db"), mustExist: true));

        Assert.Contains(folder.File("absent.db"), e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task Open_MissingSqliteFileForCreating_OpensANewDatabase()
    {
        var opener = new StorageOpener(error);

        await using (IStudyStorage storage = opener.Open(folder.Url("fresh.db"), mustExist: false))
        {
            Assert.Empty(await storage.GetStudiesAsync(default));
        }

        Assert.True(File.Exists(folder.File("fresh.db")));
    }

    [Theory]
    [InlineData("studies.db")]
    [InlineData("mysql://localhost/db")]
    [InlineData("sqlite://relative.db")]
    public void Open_MalformedOrUnknownUrl_ThrowsAUsageError(string url)
    {
        var opener = new StorageOpener(error);

        UsageException e = Assert.Throws<UsageException>(() => opener.Open(url, mustExist: false));

        Assert.Contains("--storage", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_Memory_OpensAndWritesANote()
    {
        var opener = new StorageOpener(error);

        await using IStudyStorage storage = opener.Open("memory", mustExist: true);

        Assert.Empty(await storage.GetStudiesAsync(default));
        Assert.Contains("memory", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WithAGivenRegistry_OpensItsSchemesAndReaderUrlsKeepOtherSchemesAsGiven()
    {
        var registry = new StorageRegistry();
        var opened = new List<string>();
        registry.Register("fakeprovider", url =>
        {
            opened.Add(url);
            return new Hpo.Storage.InMemory.InMemoryStudyStorage();
        });
        Assert.Throws<UsageException>(() => new StorageOpener(error).Open("fakeprovider://x", mustExist: true));

        await using IStudyStorage storage = new StorageOpener(error, registry).Open("fakeprovider://x", mustExist: true, migrate: false);

        Assert.Empty(await storage.GetStudiesAsync(default));
        Assert.Equal(["fakeprovider://x"], opened);
    }

    [Fact]
    public void MessageOf_ArgumentException_DropsTheParameterSuffix()
    {
        Assert.Equal("Bad thing.", StorageOpener.MessageOf(new ArgumentException("Bad thing.", "url")));
        Assert.Equal("Other.", StorageOpener.MessageOf(new InvalidOperationException("Other.")));
    }
}
