using Npgsql;

namespace Hpo.PostgreSql.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests use: its connection string comes from <c>HPO_TEST_POSTGRES</c> (for example
/// <c>Host=127.0.0.1;Port=55432;Username=postgres;Password=…;Database=postgres</c>, as printed by <c>.ci/postgres.sh start</c>).
/// </summary>
internal static class PostgreSqlTestServer
{
    public const string Variable = "HPO_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets why the PostgreSQL tests are skipped, or null when they run. Under CI they never skip: they fail instead.</summary>
    public static string? SkipReason => ConnectionString is null && !IsCi
        ? $"{Variable} is not set. Start a scratch server with '.ci/postgres.sh start' and export the line it prints (see README, 'PostgreSQL tests')."
        : null;

    /// <summary>Gets the administrative connection string, failing clearly when it is missing.</summary>
    public static string RequireConnectionString() => ConnectionString ?? throw new InvalidOperationException(
        $"{Variable} is not set, and the PostgreSQL tests must run under CI (CI=true): .ci/run starts a scratch server with .ci/postgres.sh and exports {Variable}. " +
        "Locally, run '.ci/postgres.sh start' and export the line it prints.");

    /// <summary>Gets a connection string as a <c>postgresql://user:password@host:port/database</c> URL, for worker processes and the hpo tool.</summary>
    public static string UrlOf(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        string password = b.Password is { Length: > 0 } p ? ":" + Uri.EscapeDataString(p) : string.Empty;
        return $"postgresql://{Uri.EscapeDataString(b.Username!)}{password}@{b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>Creates a fresh database (hpo_test_&lt;random&gt;) and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string name)
    {
        var admin = new NpgsqlConnectionStringBuilder(RequireConnectionString()) { Pooling = false };
        await using (var conn = new NpgsqlConnection(admin.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database, closing whatever connections are still open on it.</summary>
    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        var admin = new NpgsqlConnectionStringBuilder(RequireConnectionString()) { Pooling = false };
        await using var conn = new NpgsqlConnection(admin.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Runs SQL on a database, outside any storage.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var conn = new NpgsqlConnection(builder.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a scalar query on a database, outside any storage.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var conn = new NpgsqlConnection(builder.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }
}
