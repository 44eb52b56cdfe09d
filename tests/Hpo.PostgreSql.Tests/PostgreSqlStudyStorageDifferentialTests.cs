using Hpo.PostgreSql.Tests.Support;
using Hpo.Storage;
using Hpo.Storage.Testing;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The trial rules as PostgreSQL decides them — its server-side functions (the fast path) and its client-side slow path — against
/// the pure life cycle, on random operation sequences, each storage in a fresh schema of a real server.
/// </summary>
[RequiresPostgreSql]
public sealed class PostgreSqlStudyStorageDifferentialTests(PostgreSqlDatabase database) : StudyStorageDifferentialTests, IClassFixture<PostgreSqlDatabase>
{
    protected override IStudyStorage CreateStorage(TimeProvider timeProvider) =>
        new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = database.NewSchema(), TimeProvider = timeProvider });
}
