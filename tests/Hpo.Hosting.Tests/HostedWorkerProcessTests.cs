using System.Diagnostics;
using System.Reflection;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Hosting.Tests;

/// <summary>The HostedWorker sample as real processes on one SQLite file: several at once, and stopped with SIGTERM.</summary>
public sealed class HostedWorkerProcessTests : IDisposable
{
    private static readonly string SamplePath = typeof(HostedWorkerProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "HostedWorker").Value!;

    private readonly string folder = Directory.CreateTempSubdirectory("hpo-hosted-process-").FullName;

    private string Url => "sqlite:///" + Path.Combine(folder, "study.db");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Three_hosted_workers_share_one_budget_without_losing_or_repeating_a_trial()
    {
        List<Process> workers = [.. Enumerable.Range(0, 3).Select(_ => Start(budget: 12, trialMilliseconds: 100))];
        try
        {
            foreach (Process p in workers)
            {
                Task<string> errors = p.StandardError.ReadToEndAsync();
                await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
                Assert.True(p.ExitCode == 0, $"exit code {p.ExitCode}: {await errors}");
            }
        }
        finally
        {
            Stop(workers);
        }

        IReadOnlyList<TrialRecord> trials = await ReadTrialsAsync();
        Assert.Equal(12, trials.Count(t => t.State == TrialState.Complete));
        Assert.DoesNotContain(trials, t => t.State is TrialState.Running or TrialState.Waiting);
        Assert.Equal(trials.Count, trials.Select(t => t.Number).Distinct().Count());
    }

    [Fact]
    public async Task SIGTERM_hands_back_the_running_trials_and_exits_0()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Process worker = Start(budget: 10, trialMilliseconds: 600_000, grace: "00:00:00.500");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while ((await TryReadTrialsAsync()).Count(t => t.State == TrialState.Running) < 2)
            {
                if (worker.HasExited)
                {
                    Assert.Fail("the worker exited early: " + await worker.StandardError.ReadToEndAsync());
                }

                await Task.Delay(100, timeout.Token);
            }

            using (Process kill = Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            Task<string> output = worker.StandardOutput.ReadToEndAsync();
            await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            Assert.Equal(0, worker.ExitCode);
            Assert.Contains("2 stale, 0 running", await output, StringComparison.Ordinal);
        }
        finally
        {
            Stop([worker]);
        }

        IReadOnlyList<TrialRecord> trials = await ReadTrialsAsync();
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Stale, t.State));
    }

    private static void Stop(IEnumerable<Process> processes)
    {
        foreach (Process p in processes)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            p.Dispose();
        }
    }

    private Process Start(int budget, int trialMilliseconds, string grace = "00:00:10")
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(SamplePath);
        start.Environment["Hpo__Storage"] = Url;
        start.Environment["Hpo__Worker__GracePeriod"] = grace;
        start.Environment["Sample__Budget"] = budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Sample__TrialMilliseconds"] = trialMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment.Remove("HPO_STORAGE");
        return Process.Start(start)!;
    }

    private async Task<IReadOnlyList<TrialRecord>> TryReadTrialsAsync()
    {
        try
        {
            return await ReadTrialsAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or HpoException or KeyNotFoundException or Microsoft.Data.Sqlite.SqliteException)
        {
            // The first worker has not created the study yet.
            return [];
        }
    }

    private async Task<IReadOnlyList<TrialRecord>> ReadTrialsAsync()
    {
        IStudyStorage storage = StorageRegistry.Default.Open(Url);
        await using (storage)
        {
            Study study = await Study.LoadAsync(storage, "hosted-demo");
            return await study.GetTrialsAsync();
        }
    }
}
