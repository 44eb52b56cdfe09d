using Hpo.Cli.Parsing;
using Hpo.Cli.Storage;
using Hpo.Storage;

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
    [InlineData("postgresql://hpo@localhost:5432/hpo")]
    [InlineData("postgres://hpo@localhost/hpo")]
    public void Open_PostgreSqlWithoutTheProviderAssembly_SaysWhatIsMissing(string url)
    {
        var opener = new StorageOpener(error, providerDirectory: folder.Path, probeApplication: false);

        CliException e = Assert.Throws<CliException>(() => opener.Open(url, mustExist: true));

        Assert.Contains("Hpo.PostgreSql", e.Message, StringComparison.Ordinal);
        Assert.Contains(folder.Path, e.Message, StringComparison.Ordinal);
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
    public async Task RegisterProvider_AssemblyWithARegisterMethod_MakesItsSchemeOpen()
    {
        Assert.Throws<ArgumentException>(() => StudyStorage.Open("fakeprovider://x"));

        StorageOpener.RegisterProvider(typeof(FakeStorageProvider).Assembly);

        Assert.Equal(1, FakeStorageProvider.Registrations);
        await using IStudyStorage storage = new StorageOpener(error).Open("fakeprovider://x", mustExist: true);
        Assert.Empty(await storage.GetStudiesAsync(default));
    }

    [Fact]
    public void MessageOf_ArgumentException_DropsTheParameterSuffix()
    {
        Assert.Equal("Bad thing.", StorageOpener.MessageOf(new ArgumentException("Bad thing.", "url")));
        Assert.Equal("Other.", StorageOpener.MessageOf(new InvalidOperationException("Other.")));
    }
}

/// <summary>Stands in for a provider assembly's registration method (this test assembly plays the provider).</summary>
public static class FakeStorageProvider
{
    public static int Registrations { get; private set; }

    public static void Register()
    {
        Registrations++;
        StudyStorage.RegisterScheme("fakeprovider", _ => new Hpo.Storage.InMemory.InMemoryStudyStorage());
    }

    public static void Register(string ignored) => throw new InvalidOperationException($"Only parameterless Register methods run, not Register({ignored}).");
}
