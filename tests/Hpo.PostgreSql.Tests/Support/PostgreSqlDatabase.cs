using Npgsql;

namespace Hpo.PostgreSql.Tests.Support;

/// <summary>
/// A class fixture: a fresh database (hpo_test_&lt;random&gt;) for one test class, dropped afterwards. Each storage a test opens
/// gets its own PostgreSQL schema in it (<see cref="NewSchemaAsync"/>), so that every storage starts empty.
/// </summary>
public sealed class PostgreSqlDatabase : IAsyncLifetime
{
    private int schemas;

    public string Name { get; } = "hpo_test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Gets the connection string of the fresh database.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets the fresh database as a <c>postgresql://</c> URL, for worker processes and the hpo tool.</summary>
    public string Url => PostgreSqlTestServer.UrlOf(ConnectionString);

    public async Task InitializeAsync() => ConnectionString = await PostgreSqlTestServer.CreateDatabaseAsync(Name);

    public Task DisposeAsync() => ConnectionString.Length == 0 ? Task.CompletedTask : PostgreSqlTestServer.DropDatabaseAsync(Name);

    /// <summary>Creates an empty schema and returns a connection string whose search path is that schema.</summary>
    public string NewSchema()
    {
        string schema = "s" + Interlocked.Increment(ref schemas).ToString(System.Globalization.CultureInfo.InvariantCulture);
        PostgreSqlTestServer.ExecuteAsync(ConnectionString, $"CREATE SCHEMA {schema}").GetAwaiter().GetResult();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    /// <inheritdoc cref="NewSchema"/>
    public async Task<string> NewSchemaAsync()
    {
        string schema = "s" + Interlocked.Increment(ref schemas).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await PostgreSqlTestServer.ExecuteAsync(ConnectionString, $"CREATE SCHEMA {schema}");
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }
}
