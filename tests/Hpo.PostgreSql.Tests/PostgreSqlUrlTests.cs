using Hpo.Storage;
using Npgsql;
using Hpo.Registries;

namespace Hpo.PostgreSql.Tests;

public sealed class PostgreSqlUrlTests
{
    [Theory]
    [InlineData("postgresql://hpo:secret@db.internal:6543/studies", "db.internal", 6543, "hpo", "secret", "studies")]
    [InlineData("postgres://hpo:secret@db.internal/studies", "db.internal", 5432, "hpo", "secret", "studies")]
    [InlineData("POSTGRESQL://u@h/d", "h", 5432, "u", null, "d")]
    [InlineData("postgresql://h:1234", "h", 1234, null, null, null)]
    [InlineData("postgresql://us%40er:p%3Ass%2Fw%40rd@h/my%20db", "h", 5432, "us@er", "p:ss/w@rd", "my db")]
    [InlineData("postgresql://u:p@w@rd@h/d", "h", 5432, "u", "p@w@rd", "d")]
    [InlineData("postgresql://[::1]:5433/d", "::1", 5433, null, null, "d")]
    [InlineData("postgresql://[2001:db8::7]/d", "2001:db8::7", 5432, null, null, "d")]
    public void ToConnectionString_Url_SetsHostPortUserPasswordAndDatabase(string url, string host, int port, string? user, string? password, string? database)
    {
        var b = new NpgsqlConnectionStringBuilder(PostgreSqlUrl.ToConnectionString(url));

        Assert.Equal(host, b.Host);
        Assert.Equal(port, b.Port);
        Assert.Equal(user, b.Username);
        Assert.Equal(password, b.Password);
        Assert.Equal(database, b.Database);
    }

    [Fact]
    public void ToConnectionString_LibpqAndNpgsqlOptions_AreMapped()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgreSqlUrl.ToConnectionString(
            "postgresql://u@h/d?sslmode=verify-full&application_name=my%20worker&connect_timeout=7&Maximum%20Pool%20Size=12&options=-c%20statement_timeout%3D5000"));

        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal("my worker", b.ApplicationName);
        Assert.Equal(7, b.Timeout);
        Assert.Equal(12, b.MaxPoolSize);
        Assert.Equal("-c statement_timeout=5000", b.Options);
    }

    [Fact]
    public void ToConnectionString_HostQueryOption_SelectsAUnixSocketFolder()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgreSqlUrl.ToConnectionString("postgresql:///studies?host=%2Fvar%2Frun%2Fpostgresql&port=5433"));

        Assert.Equal("/var/run/postgresql", b.Host);
        Assert.Equal(5433, b.Port);
        Assert.Equal("studies", b.Database);
    }

    [Fact]
    public void ToConnectionString_SeveralHosts_KeepsTheListWithTheirPorts()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgreSqlUrl.ToConnectionString("postgresql://u@a:5432,b:5433/d?target_session_attrs=primary"));

        Assert.Equal("a:5432,b:5433", b.Host);
        Assert.Equal("d", b.Database);
        Assert.Equal("primary", b.TargetSessionAttributes);
    }

    [Theory]
    [InlineData("postgresql://h:notaport/d", "port")]
    [InlineData("postgresql://h:70000/d", "port")]
    [InlineData("postgresql://[::1/d", "bracket")]
    [InlineData("postgresql://h/d?sslmode=sometimes", "sslmode")]
    [InlineData("postgresql://h/d?no_such_option=1", "no_such_option")]
    [InlineData("Host=h;Database=d", "postgresql://")]
    [InlineData("mysql://h/d", "postgresql://")]
    public void ToConnectionString_InvalidUrl_ThrowsArgumentExceptionNamingTheProblem(string url, string expected)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PostgreSqlUrl.ToConnectionString(url));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToConnectionString_InvalidUrlWithPassword_KeepsThePasswordOutOfTheMessage()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PostgreSqlUrl.ToConnectionString("postgresql://u:hunter2@h:99999/d"));

        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
        Assert.Contains("u:***@h", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://u:p@hunter2@h:99999/d")]
    [InlineData("postgresql://u:p/hunter2@h:99999/d")]
    [InlineData("postgresql://u@h:99999/d?password=hunter2")]
    [InlineData("postgresql://u@h/d?password=hunter2&sslmode=sometimes")]
    [InlineData("postgresql://u@h/d?sslpassword=hunter2&no_such_option=1")]
    [InlineData("postgresql://u:hunter2@h/d?port=x")]
    public void ToConnectionString_InvalidUrlWithAPasswordHoldingAtSlashOrInTheQuery_KeepsItOutOfTheMessage(string url)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => PostgreSqlUrl.ToConnectionString(url));

        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://u:p@hunter2@h/d", "postgresql://u:***@h/d")]
    [InlineData("postgresql://u:p/hunter2@h/d", "postgresql://u:***@h/d")]
    [InlineData("postgresql://u@h/d?password=hunter2", "postgresql://u@h/d?password=***")]
    [InlineData("Host=h;Password=hunter2", "Host=h;Password=***")]
    public void Redact_UrlOrConnectionString_MasksThePassword(string text, string expected) => Assert.Equal(expected, PostgreSqlUrl.Redact(text));

    [Theory]
    [InlineData("postgresql://h/d", true)]
    [InlineData("Postgres://h/d", true)]
    [InlineData("Host=h", false)]
    [InlineData("sqlite:///x.db", false)]
    [InlineData(null, false)]
    public void IsUrl_Text_RecognizesBothSchemes(string? text, bool expected)
    {
        Assert.Equal(expected, PostgreSqlUrl.IsUrl(text));
    }

    [Fact]
    public async Task StudyStorageOpen_PostgresqlUrl_ReturnsAPostgreSqlStorageWithoutConnecting()
    {
        // Nothing is sent before the first operation, so no server is needed to open one.
        await using IStudyStorage storage = StorageRegistry.Default.Open("postgresql://hpo:secret@db.invalid:6543/studies?application_name=w1");

        PostgreSqlStudyStorage pg = Assert.IsType<PostgreSqlStudyStorage>(storage);
        Assert.Contains("'studies' on db.invalid:6543", pg.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", pg.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql")]
    [InlineData("POSTGRES")]
    public async Task NewRegistry_PostgresqlUrl_DiscoversTheProviderOfThisPackageOnFirstUse(string scheme)
    {
        var registry = new StorageRegistry();
        Assert.False(registry.Contains("postgresql"));

        await using IStudyStorage storage = registry.Open(scheme + "://hpo@db.invalid:6543/studies");

        Assert.IsType<PostgreSqlStudyStorage>(storage);
        Assert.True(registry.Contains("postgresql"));
        Assert.True(registry.Contains("postgres"));
        Assert.False(new StorageRegistry().Contains("postgresql"));
    }

    [Fact]
    public async Task Provider_RegisteredExplicitly_OpensBothSchemes()
    {
        var registry = new StorageRegistry();
        registry.Register(new PostgreSqlStorageProvider());

        Assert.Equal(["memory", "postgres", "postgresql", "sqlite"], registry.Schemes);
        await using IStudyStorage storage = registry.Open("postgres://hpo@db.invalid/studies");
        Assert.IsType<PostgreSqlStudyStorage>(storage);
    }

    [Fact]
    public async Task Constructor_CallerChangesTheOptionsAfterwards_TheStorageKeepsWhatItWasGiven()
    {
        var options = new PostgreSqlStudyStorageOptions { ConnectionString = "postgresql://hpo:secret@db.invalid:6543/studies", Durability = PostgreSqlDurability.Full, DeadlockRetries = 2 };
        await using var storage = new PostgreSqlStudyStorage(options);
        string before = storage.ConnectionString;

        options.ConnectionString = "postgresql://other@elsewhere.invalid/other";
        options.Durability = PostgreSqlDurability.Grouped;
        options.DeadlockRetries = -1;

        Assert.Equal(PostgreSqlDurability.Full, storage.Durability);
        Assert.Equal(before, storage.ConnectionString);
        Assert.Contains("'studies' on db.invalid:6543", storage.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var options = new PostgreSqlStudyStorageOptions { DeadlockRetries = -1, Durability = (PostgreSqlDurability)9 };

        ArgumentException e = Assert.Throws<ArgumentException>(() => new PostgreSqlStudyStorage(options));

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'PostgreSqlStudyStorageOptions' are invalid.", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.Contains("Durability", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("ConnectionString or DataSource", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("DeadlockRetries", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_MalformedConnectionString_ThrowsArgumentException()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new PostgreSqlStudyStorage("NoSuchKeyword=1"));

        Assert.Contains("connection string is invalid", e.Message, StringComparison.Ordinal);
    }
}
