using Xunit;

namespace Hpo.Tests.Shared;

/// <summary>A fact that needs the PostgreSQL server of HPO_TEST_POSTGRES: skipped without it, except under CI=true, where it fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgreSqlFactAttribute : FactAttribute
{
    public PostgreSqlFactAttribute()
    {
        if (ConnectionString is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "HPO_TEST_POSTGRES is not set. Start a scratch server with '.ci/postgres.sh start' and export the line it prints.";
        }
    }

    /// <summary>Gets the connection string of HPO_TEST_POSTGRES, or null when it is not set.</summary>
    public static string? ConnectionString => Environment.GetEnvironmentVariable("HPO_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    /// <summary>Gets the connection string of HPO_TEST_POSTGRES, or fails the test that needs it.</summary>
    public static string RequiredConnectionString => ConnectionString
        ?? throw new InvalidOperationException("HPO_TEST_POSTGRES is not set; under CI (CI=true) .ci/run starts a scratch server and exports it.");
}
