using Hpo.Storage;
using Hpo.Trials;
using Npgsql;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The client-side path of the trial rules (<see cref="Storage.Providers.TrialLifecycle"/>'s operations in one transaction): a
/// transaction whose acknowledgement is lost after its commit is run again and answers as the first did, doing the work once.
/// </summary>
public sealed partial class PostgreSqlStudyStorageTests
{
    [Fact]
    public async Task ClientSideStart_AcknowledgementLost_ReturnsTheTrialTheFirstCallStartedAndStartsOne()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        storage.ClientSideRules = true;
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        LoseFirstCommitAcknowledgement(storage);

        TrialRecord t = (await storage.StartTrialAsync(study.Id, "w", CancellationToken.None))!;

        Assert.Equal(1, Volatile.Read(ref lostCommits));
        TrialRecord only = Assert.Single(await storage.GetTrialsAsync(study.Id, CancellationToken.None));
        Assert.Equal(t.Id, only.Id);
        Assert.Equal((TrialState.Running, "w"), (only.State, only.Owner));
        Assert.Equal(1, (await storage.GetTrialCountsAsync(study.Id, CancellationToken.None)).Running);
    }

    [Fact]
    public async Task ClientSideFinishWithRetry_AcknowledgementLost_RecordsOnceAndEnqueuesOneRetry()
    {
        await using var storage = (PostgreSqlStudyStorage)CreateStorage();
        storage.ClientSideRules = true;
        StudyRecord study = await storage.CreateStudyAsync(Definition(), CancellationToken.None);
        TrialRecord t = (await storage.StartTrialAsync(study.Id, "w", CancellationToken.None))!;
        await storage.SetTrialParametersAsync(t.Id, Params(1.5), CancellationToken.None);
        LoseFirstCommitAcknowledgement(storage);

        TrialRecord done = await storage.FinishTrialAsync(t.Id, new TrialFinish(TrialState.Failed, [], "it threw", "System.InvalidOperationException") { RetryAsNewTrial = true }, CancellationToken.None);

        Assert.Equal(1, Volatile.Read(ref lostCommits));
        Assert.Equal((TrialState.Failed, "it threw"), (done.State, done.FailReason));
        IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
        Assert.Equal([TrialState.Failed, TrialState.Waiting], trials.Select(x => x.State));
        Assert.Equal(1.5, (double)trials[1].Parameters["x"]);
        Assert.Equal("0", trials[1].SystemAttributes[TrialRetry.RetryOfAttribute]);
        TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, CancellationToken.None);
        Assert.Equal((1, 0, 1), (counts.Waiting, counts.Running, counts.Failed));
    }

    private int lostCommits;

    /// <summary>Makes the first committed transaction lose its answer (a transient failure after the commit), so that it is run again.</summary>
    private void LoseFirstCommitAcknowledgement(PostgreSqlStudyStorage storage)
    {
        lostCommits = 0;
        storage.AfterCommit = () =>
        {
            if (Interlocked.Exchange(ref lostCommits, 1) == 0)
            {
                throw new NpgsqlException("Simulated: the connection dropped after the commit, before the answer.", new IOException("connection reset"));
            }
        };
    }
}
