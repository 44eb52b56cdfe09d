using Hpo.Execution;
using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Testing;
using Hpo.Tests.Storage;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Execution;

/// <summary>
/// Workers that share a host name but not a PID namespace (containers with the host's UTS or network namespace, hostNetwork pods,
/// compose <c>hostname:</c>) must never take each other's live trials for orphans: here two worker processes, each in its own PID
/// namespace (<c>unshare -pf --mount-proc</c>, where each is PID 1), share the host name and one SQLite file.
/// </summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class PidNamespaceWorkersTests
{
    [Fact]
    public async Task OptimizeAsync_TwoWorkersInSeparatePidNamespacesSameHostname_NoTrialStale()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // PID namespaces are Linux's.
        }

        string[] wrapper = ["unshare", "-pf", "--mount-proc"];
        (int probe, string why) = await ProbeAsync(wrapper);
        Assert.True(probe == 0, $"'unshare -pf --mount-proc' is needed (util-linux, as root or with user namespaces) and failed: {why}");

        using var db = new TempDatabase();
        const int Budget = 24;
        TimeSpan lease = TimeSpan.FromSeconds(2);
        var workers = new List<TestWorkerProcess>();
        try
        {
            workers.Add(TestWorkerProcess.Run(db.Url, "pidns", Budget, seed: 9, lease, sleep: TimeSpan.FromMilliseconds(150), wrapper: wrapper));
            await workers[0].WaitForOutputAsync("started", TimeSpan.FromSeconds(60));
            await Task.Delay(1200); // a different start second, so that "same pid 1, other start time" would look like a reused pid
            workers.Add(TestWorkerProcess.Run(db.Url, "pidns", Budget, seed: 9, lease, sleep: TimeSpan.FromMilliseconds(150), wrapper: wrapper));

            foreach (TestWorkerProcess w in workers)
            {
                int exit = await w.WaitForExitAsync(TimeSpan.FromSeconds(120));
                Assert.True(exit == 0, $"Worker {w.Id} exited with {exit}.{w.Describe()}");
            }

            await using var storage = new SqliteStudyStorage(db.Path);
            StudyRecord study = await storage.GetStudyAsync("pidns", CancellationToken.None) ?? throw new InvalidOperationException("The study is missing.");
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
            string summary = string.Join(Environment.NewLine, trials.Select(t => $"{t.Number} {t.State} {t.Owner} {t.FailReason}"));

            Assert.True(trials.All(t => t.State == TrialState.Complete), summary);
            Assert.Equal(Budget, trials.Count);

            // Both took part, each as PID 1 of its own namespace, with different scopes and the same host name.
            var owners = trials.Select(t => t.Owner!.Split(':')).ToList();
            Assert.All(owners, o => Assert.Equal("1", o[1]));
            Assert.Equal(2, owners.Select(o => o[4]).Distinct().Count());
            Assert.Single(owners.Select(o => o[0]).Distinct());
            Assert.DoesNotContain(owners, o => o[4] == WorkerIdentity.Scope);
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

    private static async Task<(int ExitCode, string Error)> ProbeAsync(string[] wrapper)
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(wrapper[0]) { RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in wrapper.Skip(1).Append("true"))
            {
                start.ArgumentList.Add(a);
            }

            using var p = System.Diagnostics.Process.Start(start)!;
            string error = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            return (p.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
