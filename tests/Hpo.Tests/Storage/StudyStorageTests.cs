using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Storage;

public sealed class StudyStorageTests
{
    [Theory]
    [InlineData("memory")]
    [InlineData("memory://")]
    [InlineData(":memory:")]
    public async Task Open_MemoryUrl_ReturnsANewInMemoryStorage(string url)
    {
        await using IStudyStorage a = StudyStorage.Open(url);
        await using IStudyStorage b = StudyStorage.Open(url);

        Assert.IsType<InMemoryStudyStorage>(a);
        Assert.NotSame(a, b);
    }

    [Fact]
    public async Task Open_SqliteUrlWithFourSlashes_OpensTheAbsolutePath()
    {
        using var db = new TempDatabase();
        Assert.StartsWith("/", db.Path, StringComparison.Ordinal);

        await using (IStudyStorage storage = StudyStorage.Open("sqlite:///" + db.Path))
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

        await using (IStudyStorage storage = StudyStorage.Open("sqlite:///" + relative))
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
    public void SqlitePath_ValidUrl_ReturnsThePath(string url, string expected)
    {
        Assert.Equal(expected, StudyStorage.SqlitePath(url));
    }

    [Theory]
    [InlineData("sqlite:///")]
    [InlineData("sqlite://study.db")]
    [InlineData("sqlite:study.db")]
    public void SqlitePath_UrlWithoutAFile_ThrowsArgumentExceptionWithTheForm(string url)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => StudyStorage.SqlitePath(url));

        Assert.Contains("sqlite:///relative/path.db", e.Message, StringComparison.Ordinal);
        Assert.Contains(url, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownScheme_ThrowsArgumentExceptionNamingItAndTheKnownOnes()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => StudyStorage.Open("mongodb://localhost/hpo"));

        Assert.Contains("'mongodb'", e.Message, StringComparison.Ordinal);
        Assert.Contains("memory", e.Message, StringComparison.Ordinal);
        Assert.Contains("sqlite", e.Message, StringComparison.Ordinal);
        Assert.Equal("url", e.ParamName);
    }

    [Fact]
    public void Open_PostgresqlWithoutItsPackage_SaysWhichPackageIsNeeded()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => StudyStorage.Open("postgresql-unregistered://host/db"));

        Assert.Contains("Hpo.PostgreSql", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("study.db")]
    [InlineData("://nothing")]
    public void Open_NoScheme_ThrowsArgumentExceptionWithAnExample(string url)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => StudyStorage.Open(url));

        Assert.Contains("sqlite:///study.db", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Open_BlankUrl_ThrowsArgumentException(string url)
    {
        Assert.Throws<ArgumentException>(() => StudyStorage.Open(url));
    }

    [Fact]
    public async Task RegisterScheme_NewScheme_OpenUsesItsFactory()
    {
        string scheme = "test" + Guid.NewGuid().ToString("N")[..8];
        string? seen = null;
        StudyStorage.RegisterScheme(scheme, url =>
        {
            seen = url;
            return new InMemoryStudyStorage();
        });

        await using IStudyStorage storage = StudyStorage.Open(scheme + "://somewhere/db");

        Assert.IsType<InMemoryStudyStorage>(storage);
        Assert.Equal(scheme + "://somewhere/db", seen);
    }
}
