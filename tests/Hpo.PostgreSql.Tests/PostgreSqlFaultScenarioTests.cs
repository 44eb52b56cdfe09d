using Hpo.PostgreSql.Tests.Support;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Testing;
using Hpo.Trials;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The fault scenario (see <see cref="FaultScenario"/>) on PostgreSQL: worker processes on a study with a budget, two of them killed
/// with SIGKILL in the middle of trials, the database restarted while trials run, a worker joining late; and leases across a
/// restart that came after more than a lease without heartbeats. Each test starts its own cluster, so that it can restart it.
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

    [Fact]
    public async Task StartTrialAsync_ServerDownLongerThanTheLease_LiveWorkersTrialsGetAFullLeaseFromTheRestart()
    {
        // Workers cannot renew heartbeats while the database is down; when it comes back, a trial whose last heartbeat is more than
        // a lease old must not be taken as lost at once: its worker gets a full lease from the restart to renew. A worker that is
        // really gone is still found out, one lease after the restart.
        await using ScratchPostgreSqlServer server = await ScratchPostgreSqlServer.StartAsync();
        await using var storage = new PostgreSqlStudyStorage(server.ConnectionString);
        TimeSpan lease = TimeSpan.FromSeconds(3); // ample for the restart and the reconnection on a loaded machine
        SearchSpace space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build();
        StudyRecord study = await storage.CreateStudyAsync(new StudyDefinition { Name = "outage", SearchSpace = space, Directions = [Hpo.StudyDirection.Minimize], TunerName = "random", Seed = 1, Lease = lease }, CancellationToken.None);
        TrialRecord live = await storage.StartTrialAsync(study.Id, "live", CancellationToken.None) ?? throw new InvalidOperationException("no trial");
        await storage.SetTrialParametersAsync(live.Id, space.Validate(new Dictionary<string, object> { ["x"] = 0.5 }), CancellationToken.None);

        await Task.Delay(lease + TimeSpan.FromMilliseconds(300)); // the heartbeat is now older than the lease
        await server.RestartAsync();
        TrialRecord other = await storage.StartTrialAsync(study.Id, "other", CancellationToken.None) ?? throw new InvalidOperationException("no trial");

        Assert.Equal(TrialState.Running, (await storage.GetTrialAsync(study.Id, live.Number, CancellationToken.None))!.State);
        TrialRecord done = await storage.FinishTrialAsync(live.Id, new TrialFinish(TrialState.Complete, [0.25]), CancellationToken.None);
        Assert.Equal(TrialState.Complete, done.State);

        // "other" goes silent: a lease after the restart (and after its own start), it is stale.
        await Task.Delay(lease + TimeSpan.FromMilliseconds(300));
        Assert.NotNull(await storage.StartTrialAsync(study.Id, "third", CancellationToken.None));
        Assert.Equal(TrialState.Stale, (await storage.GetTrialAsync(study.Id, other.Number, CancellationToken.None))!.State);
    }
}
