using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Storage.Providers;
using Hpo.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Hpo.Registries;
using Hpo.Tests.Storage;

namespace Hpo.Tests.Registries;

public sealed class StorageRegistryTests
{
    [Theory]
    [InlineData("memory")]
    [InlineData("memory://")]
    [InlineData(":memory:")]
    public async Task Open_MemoryUrl_ReturnsANewInMemoryStorage(string url)
    {
        await using IStudyStorage a = StorageRegistry.Default.Open(url);
        await using IStudyStorage b = StorageRegistry.Default.Open(url);

        Assert.IsType<InMemoryStudyStorage>(a);
        Assert.NotSame(a, b);
    }

    [Fact]
    public async Task Open_SqliteUrlWithFourSlashes_OpensTheAbsolutePath()
    {
        using var db = new TempDatabase();
        Assert.StartsWith("/", db.Path, StringComparison.Ordinal);

        await using (IStudyStorage storage = StorageRegistry.Default.Open("sqlite:///" + db.Path))
        {
            SqliteStudyStorage sqlite = Assert.IsType<SqliteStudyStorage>(storage);
            Assert.Equal(db.Path, sqlite.FilePath);
        }

        SqliteConnection.ClearAllPools();
        Assert.True(File.Exists(db.Path));
    }

    [Fact]
    public async Task Open_SqliteUrlWithThreeSlashes_OpensThePathRelativeToTheCurrentDirectory()
    {
        using var db = new TempDatabase();
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, db.Path);
        Assert.False(Path.IsPathRooted(relative));

        await using (IStudyStorage storage = StorageRegistry.Default.Open("sqlite:///" + relative))
        {
            Assert.Equal(db.Path, Assert.IsType<SqliteStudyStorage>(storage).FilePath);
        }

        SqliteConnection.ClearAllPools();
        Assert.True(File.Exists(db.Path));
    }

    [Theory]
    [InlineData("sqlite:///study.db", "study.db")]
    [InlineData("sqlite:///runs/a/study.db", "runs/a/study.db")]
    [InlineData("sqlite:////var/lib/hpo/study.db", "/var/lib/hpo/study.db")]
    [InlineData("SQLITE:///study.db", "study.db")]
    [InlineData("sqlite:///my%20study.db", "my study.db")]
    [InlineData("sqlite:///study.db?mode=fast", "study.db")]
    public void SqlitePathOf_ValidUrl_ReturnsThePath(string url, string expected)
    {
        Assert.Equal(expected, SqliteStorageProvider.PathOf(url));
    }

    [Theory]
    [InlineData("sqlite:///")]
    [InlineData("sqlite://study.db")]
    [InlineData("sqlite:study.db")]
    public void SqlitePathOf_UrlWithoutAFile_ThrowsArgumentExceptionWithTheForm(string url)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => SqliteStorageProvider.PathOf(url));

        Assert.Contains("sqlite:///relative/path.db", e.Message, StringComparison.Ordinal);
        Assert.Contains(url, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownScheme_ThrowsArgumentExceptionNamingItAndTheKnownOnes()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => StorageRegistry.Default.Open("mongodb://localhost/hpo"));

        Assert.Contains("'mongodb'", e.Message, StringComparison.Ordinal);
        Assert.Contains("memory", e.Message, StringComparison.Ordinal);
        Assert.Contains("sqlite", e.Message, StringComparison.Ordinal);
        Assert.Equal("url", e.ParamName);
    }

    [Fact]
    public void Open_PostgresqlWithoutItsPackage_SaysWhichPackageIsNeeded()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => StorageRegistry.Default.Open("postgresql-unregistered://host/db"));

        Assert.Contains("Hpo.PostgreSql", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("study.db")]
    [InlineData("://nothing")]
    public void Open_NoScheme_ThrowsArgumentExceptionWithAnExample(string url)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => StorageRegistry.Default.Open(url));

        Assert.Contains("sqlite:///study.db", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Open_BlankUrl_ThrowsArgumentException(string url)
    {
        Assert.Throws<ArgumentException>(() => StorageRegistry.Default.Open(url));
    }

    [Fact]
    public async Task Register_NewScheme_OpenUsesItsFactoryWithTheWholeUrl()
    {
        var registry = new StorageRegistry();
        string? seen = null;
        registry.Register("test+x", url =>
        {
            seen = url;
            return new InMemoryStudyStorage();
        });

        await using IStudyStorage storage = registry.Open("TEST+X://somewhere/db?a=1");

        Assert.IsType<InMemoryStudyStorage>(storage);
        Assert.Equal("TEST+X://somewhere/db?a=1", seen);
        Assert.True(registry.Contains("test+X"));
    }

    [Fact]
    public void NewRegistry_KnowsMemoryAndSqliteOnly()
    {
        Assert.Equal(["memory", "sqlite"], new StorageRegistry().Schemes);
    }

    [Fact]
    public async Task Registries_AreInstances_ACopyTakesTheRegistrationsOfThatMomentAndNoLaterOnes()
    {
        var source = new StorageRegistry();
        source.Register("before", _ => new InMemoryStudyStorage());
        var copy = new StorageRegistry(source);
        source.Register("after", _ => new InMemoryStudyStorage());
        copy.Register("own", _ => new InMemoryStudyStorage());

        Assert.True(copy.Contains("before"));
        Assert.False(copy.Contains("after"));
        Assert.False(source.Contains("own"));
        Assert.False(StorageRegistry.Default.Contains("before"));
        Assert.False(StorageRegistry.Default.Contains("own"));
        await using IStudyStorage storage = copy.Open("before://x");
        Assert.Throws<ArgumentException>(() => copy.Open("after://x"));
    }

    [Fact]
    public async Task Register_Provider_RegistersEachOfItsSchemesAndReplacesABuiltIn()
    {
        var registry = new StorageRegistry();
        var provider = new RecordingProvider(["alpha", "beta", "sqlite"]);

        registry.Register(provider);

        await using (IStudyStorage a = registry.Open("alpha://one"))
        await using (IStudyStorage b = registry.Open("beta://two"))
        await using (IStudyStorage c = registry.Open("sqlite:///never-created.db"))
        {
            Assert.Equal(["alpha://one", "beta://two", "sqlite:///never-created.db"], provider.Opened);
        }

        Assert.False(File.Exists("never-created.db"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sqlite://")]
    [InlineData("1abc")]
    [InlineData("my scheme")]
    public void Register_NotAUrlScheme_ThrowsNamingTheRuleAndTheValue(string scheme)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new StorageRegistry().Register(scheme, _ => new InMemoryStudyStorage()));

        Assert.Equal("scheme", e.ParamName);
        Assert.Contains("starts with a letter", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{scheme}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_ProviderWithoutSchemesOrWithABadOne_Throws()
    {
        var registry = new StorageRegistry();

        ArgumentException none = Assert.Throws<ArgumentException>(() => registry.Register(new RecordingProvider([])));
        ArgumentException bad = Assert.Throws<ArgumentException>(() => registry.Register(new RecordingProvider(["ok", "no way"])));

        Assert.Contains("at least one scheme", none.Message, StringComparison.Ordinal);
        Assert.Contains("'no way'", bad.Message, StringComparison.Ordinal);
        Assert.False(registry.Contains("ok"));
    }

    [Theory]
    [InlineData("mongodb://alice:s3cretPassw0rd@db.example/hpo")]
    [InlineData("Host=db;Username=alice;Password=s3cretPassw0rd")]
    [InlineData("alice:s3cretPassw0rd@db://hpo")]
    public void Open_UnknownOrMissingScheme_NeverQuotesAPassword(string url)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new StorageRegistry().Open(url));

        Assert.DoesNotContain("s3cretPassw0rd", e.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingProvider(IReadOnlyList<string> schemes) : IStudyStorageProvider
    {
        public List<string> Opened { get; } = [];

        public IReadOnlyList<string> Schemes => schemes;

        public IStudyStorage Open(string url)
        {
            Opened.Add(url);
            return new InMemoryStudyStorage();
        }
    }
}
