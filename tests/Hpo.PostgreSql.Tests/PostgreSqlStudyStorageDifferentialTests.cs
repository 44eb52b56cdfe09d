using Hpo.PostgreSql.Tests.Support;
using Hpo.Storage;
using Hpo.Storage.Testing;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The trial rules as PostgreSQL decides them on its usual path — the server-side functions (the fast path), falling back to the
/// client-side lifecycle operations for expired leases and retries — against the pure life cycle, on random operation sequences,
/// each storage in a fresh schema of a real server. Its finish-and-start looks for expired leases at most every eighth of the lease
/// (Schema/2-functions.sql), which the reference models exactly.
/// </summary>
[RequiresPostgreSql]
public sealed class PostgreSqlStudyStorageDifferentialTests(PostgreSqlDatabase database) : StudyStorageDifferentialTests, IClassFixture<PostgreSqlDatabase>
{
    protected override TimeSpan FinishAndStartLeaseCheckInterval(TimeSpan lease) => lease / 8;

    protected override IStudyStorage CreateStorage(TimeProvider timeProvider) =>
        new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = database.NewSchema(), TimeProvider = timeProvider });
}
