using System.Globalization;
using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Testing;
using Hpo.Tests.Storage;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Execution;

/// <summary>Several worker processes optimize one study in one SQLite file, as `hpo worker`s on one machine would.</summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class MultiProcessStudyTests
{
    [Fact]
    public async Task OptimizeAsync_FourProcessesOnOneSqliteFile_FinishExactlyTheBudgetWithoutDuplicates()
    {
        using var db = new TempDatabase();
        const int Budget = 60;
        var workers = Enumerable.Range(0, 4)
            .Select(_ => TestWorkerProcess.Run(db.Url, "shared", Budget, seed: 5, lease: TimeSpan.FromSeconds(30), sleep: TimeSpan.FromMilliseconds(50)))
            .ToList();
        try
        {
            foreach (TestWorkerProcess w in workers)
            {
                int exit = await w.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(exit == 0, $"Worker {w.Id} exited with {exit}.{w.Describe()}");
                Assert.Equal(string.Empty, w.Error);
            }

            await using var storage = new SqliteStudyStorage(db.Path);
            StudyRecord study = await storage.GetStudyAsync("shared", CancellationToken.None) ?? throw new InvalidOperationException("The study is missing.");
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, CancellationToken.None);

            Assert.Equal(Enumerable.Range(0, Budget), trials.Select(t => t.Number));
            Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
            Assert.Equal(new TrialCounts(0, 0, Budget, 0, 0), await storage.GetTrialCountsAsync(study.Id, CancellationToken.None));
            Assert.Equal(Budget, trials.Select(t => string.Join(",", t.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))).Distinct().Count());

            // Each process says how many trials it ran: together exactly the budget, none counted twice.
            int[] ran = workers.Select(w => TrialsRun(w.Output)).ToArray();
            Assert.Equal(Budget, ran.Sum());
            Assert.Single(workers, w => w.Output.Contains("resumed=False", StringComparison.Ordinal));

            // The trials' owners name the processes: more than one took part.
            var pids = trials.Select(t => t.Owner!.Split(':')[1]).Distinct().ToList();
            Assert.All(pids, pid => Assert.Contains(workers, w => w.Id.ToString(CultureInfo.InvariantCulture) == pid));
            Assert.True(pids.Count >= 2, $"Only {pids.Count} process(es) ran trials: {string.Join(", ", ran)}.");
        }
        finally
        {
            foreach (TestWorkerProcess w in workers)
            {
                w.Dispose();
            }

            SqliteConnection.ClearAllPools();
        }
    }

    private static int TrialsRun(string output)
    {
        string done = output.Split('\n').Single(l => l.StartsWith("done ", StringComparison.Ordinal));
        Assert.EndsWith("BudgetReached", done.TrimEnd(), StringComparison.Ordinal);
        return int.Parse(done.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
