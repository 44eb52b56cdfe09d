namespace Hpo.Deploy.Tests.Support;

/// <summary>
/// A fact that needs the PostgreSQL server of <c>HPO_TEST_POSTGRES</c> (as printed by <c>.ci/postgres.sh start</c>). Without it
/// the test is skipped with the reason, except under CI (<c>CI=true</c>), where it runs and fails with a clear message.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public const string Variable = "HPO_TEST_POSTGRES";

    public PostgreSqlFactAttribute()
    {
        if (ConnectionString is null && !IsCi)
        {
            Skip = $"{Variable} is not set. Start a scratch server with '.ci/postgres.sh start' and export the line it prints.";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the server's connection string, failing clearly when it is missing.</summary>
    public static string RequireConnectionString() => ConnectionString ?? throw new InvalidOperationException(
        $"{Variable} is not set, and the PostgreSQL tests must run under CI (CI=true): .ci/run starts a scratch server with .ci/postgres.sh and exports {Variable}.");
}
