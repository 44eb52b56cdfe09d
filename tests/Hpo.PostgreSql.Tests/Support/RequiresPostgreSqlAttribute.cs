namespace Hpo.PostgreSql.Tests.Support;

/// <summary>
/// Marks a test class that needs the PostgreSQL server of <c>HPO_TEST_POSTGRES</c>. Without it, the class's tests are reported as
/// skipped with the reason (see <see cref="PostgreSqlTestFramework"/>), except under CI, where they run and fail with a clear message.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresPostgreSqlAttribute : Attribute
{
}
