using Hpo.PostgreSql.Tests.Support;
using Hpo.Storage;
using Hpo.Storage.Testing;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The trial rules on PostgreSQL's client-side path alone — every start, finish and finish-and-start runs
/// <see cref="Storage.Providers.TrialLifecycle"/>'s operations over the PostgreSQL primitives inside one transaction, never the
/// server-side functions — against the pure life cycle, on the same random operation sequences as the usual path.
/// </summary>
[RequiresPostgreSql]
public sealed class PostgreSqlClientSideDifferentialTests(PostgreSqlDatabase database) : StudyStorageDifferentialTests, IClassFixture<PostgreSqlDatabase>
{
    protected override IStudyStorage CreateStorage(TimeProvider timeProvider) =>
        new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = database.NewSchema(), TimeProvider = timeProvider }) { ClientSideRules = true };
}
