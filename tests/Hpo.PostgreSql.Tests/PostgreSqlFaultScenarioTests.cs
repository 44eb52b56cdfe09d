using Hpo.PostgreSql.Tests.Support;
using Hpo.Testing;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The fault scenario (see <see cref="FaultScenario"/>) on PostgreSQL: worker processes on a study with a budget, two of them killed
/// with SIGKILL in the middle of trials, the database restarted while trials run, a worker joining late.
/// </summary>
[RequiresPostgreSql]
public sealed class PostgreSqlFaultScenarioTests
{
    [Fact]
    public async Task OptimizeAsync_WorkersKilledAndDatabaseRestarted_BudgetExactKilledTrialsStaleAndRetriedNothingLost()
    {
        await using ScratchPostgreSqlServer server = await ScratchPostgreSqlServer.StartAsync();
        await using var storage = new PostgreSqlStudyStorage(server.ConnectionString);
        var scenario = new FaultScenario { Url = server.Url, Storage = storage, DisruptAsync = server.RestartAsync };

        await scenario.RunAsync();
    }
}
