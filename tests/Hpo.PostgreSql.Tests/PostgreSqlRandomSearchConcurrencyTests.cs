using Hpo.PostgreSql.Tests.Support;
using Hpo.Testing;
using Hpo.Trials;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The random tuner under real concurrency on PostgreSQL (see <see cref="DiscreteSpaceScenario"/>): on a discrete space of K points,
/// K trials run by several worker processes try every point exactly once.
/// </summary>
[RequiresPostgreSql]
public sealed class PostgreSqlRandomSearchConcurrencyTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    [Fact]
    public async Task OptimizeAsync_FourProcessesOnOneDatabase_TryEveryPointOnce()
    {
        await using var storage = new PostgreSqlStudyStorage(database.ConnectionString);

        IReadOnlyList<TrialRecord> trials = await DiscreteSpaceScenario.RunWorkersAsync(database.Url, storage, processes: 4);

        DiscreteSpaceScenario.AssertEveryPointOnce(trials);
    }
}
