using System.Diagnostics;
using System.Globalization;
using Hpo.PostgreSql.Tests.Support;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Testing;
using Hpo.Trials;

namespace Hpo.PostgreSql.Tests;

/// <summary>
/// The fault scenario from the outside, with the shipped tool: six <c>hpo worker --command</c> processes on a PostgreSQL cluster the
/// test starts itself (password authentication; the URL reaches the workers through HPO_STORAGE, never their command line), two of
/// them (whose trial programs hang) SIGKILLed with their trial programs mid-study, the cluster restarted with <c>pg_ctl restart -m fast</c> under the others, and a
/// late worker. Then: the budget completes exactly, every stale trial is retried with its parameters, nothing is Running or Failed,
/// every value belongs to its parameters (a trial's value is its own x), every surviving worker exits 0, and no output holds the password.
/// </summary>
[RequiresPostgreSql]
public sealed class HpoWorkerFaultScenarioTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private const string StudyName = "outside";
    private const int Budget = 36;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    // The trial program: reports, works a little, and returns its own parameter, so that a value can be checked against its trial.
    // The parameter arrives as a positional argument, never pasted into the shell code.
    private const string TrialCommand = "sh -c 'echo \"hpo:report 1 $1\"; sleep 0.4; echo \"hpo:result $1\"' trial {param:x}";

    // The two workers to be killed run a program that hangs after its report: they are certainly mid-trial when SIGKILLed.
    private const string HangingCommand = "sh -c 'echo \"hpo:report 1 $1\"; sleep 120; echo \"hpo:result $1\"' trial {param:x}";

    [Fact]
    public async Task HpoWorkers_TwoKilledDatabaseRestartedLateWorker_BudgetExactStaleRetriedNothingLostNoSecret()
    {
        await using ScratchPostgreSqlServer server = await ScratchPostgreSqlServer.StartAsync();
        string password = new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString).Password!;
        await using var storage = new PostgreSqlStudyStorage(server.ConnectionString);
        SearchSpace space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build();
        Study created = await Study.CreateAsync(storage, StudyName, space, new StudyOptions { Budget = Budget, Lease = Lease, MaxRetries = 3, Seed = 5 });
        long studyId = created.Record.Id;
        string artifacts = Path.Combine(Path.GetTempPath(), "hpo-outside-" + Guid.NewGuid().ToString("N")[..8]);
        var workers = new List<HpoToolProcess>();
        try
        {
            for (int i = 0; i < 6; i++)
            {
                workers.Add(StartWorker(server.Url, artifacts, i < 2 ? HangingCommand : TrialCommand));
            }

            // Mid-study: at least a quarter done, and the two victims each running a trial.
            await WaitAsync(async () => (await storage.GetTrialCountsAsync(studyId, CancellationToken.None)).Complete >= Budget / 4, "a quarter of the budget", workers);
            HpoToolProcess[] victims = [workers[0], workers[1]];
            foreach (HpoToolProcess victim in victims)
            {
                await WaitAsync(async () => (await storage.GetTrialsAsync(studyId, CancellationToken.None)).Any(t => t.State == TrialState.Running && t.Owner!.Split(':')[1] == victim.Id.ToString(CultureInfo.InvariantCulture)), $"worker {victim.Id} running a trial", workers);
                victim.Kill();
            }

            await Task.Delay(300);
            await server.RestartAsync();
            workers.Add(StartWorker(server.Url, artifacts, TrialCommand));

            foreach (HpoToolProcess w in workers.Except(victims))
            {
                int exit = await w.WaitForExitAsync(TimeSpan.FromSeconds(120));
                Assert.True(exit == 0, $"Worker {w.Id} exited with {exit}.{w.Describe()}");
            }

            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(studyId, CancellationToken.None);
            TrialCounts counts = await storage.GetTrialCountsAsync(studyId, CancellationToken.None);
            string summary = string.Join(Environment.NewLine, trials.Select(t => $"{t.Number} {t.State} x={t.Parameters.GetValueOrDefault("x")} value={t.Value} owner={t.Owner} retry_of={TrialRetry.RetryOf(t)} {t.FailReason}"));
            Assert.True(counts.Complete == Budget, $"{counts}{Environment.NewLine}{summary}");
            Assert.True(counts.Running + counts.Waiting + counts.Failed + counts.Pruned == 0, $"{counts}{Environment.NewLine}{summary}");
            Assert.Equal(Enumerable.Range(0, trials.Count), trials.Select(t => t.Number));

            // The two killed trials, and any a restart may have expired, are stale and retried with their parameters.
            List<TrialRecord> stale = [.. trials.Where(t => t.State == TrialState.Stale)];
            Assert.True(stale.Count >= 2, $"Expected the killed workers' trials to be stale.{Environment.NewLine}{summary}");
            Assert.All(victims, v => Assert.Contains(stale, s => s.Owner!.Split(':')[1] == v.Id.ToString(CultureInfo.InvariantCulture)));
            foreach (TrialRecord s in stale)
            {
                TrialRecord retry = Assert.Single(trials, t => TrialRetry.RetryOf(t) == s.Number);
                Assert.Equal(s.Parameters["x"], retry.Parameters["x"]);
            }

            log.WriteLine($"trials={trials.Count} complete={counts.Complete} stale={stale.Count} retries={trials.Count(t => TrialRetry.RetryOf(t) is not null)} running={counts.Running} failed={counts.Failed} survivors_exit0={workers.Except(victims).Count()}");

            // Every value belongs to its trial's parameters: the program returns its own x.
            Assert.All(trials.Where(t => t.State == TrialState.Complete), t => Assert.Equal((double)t.Parameters["x"], t.Value!.Value, 12));

            // The password reached no output: not the workers' (killed ones included), not a trial's stored log.
            foreach (HpoToolProcess w in workers)
            {
                Assert.False(w.Output.Contains(password, StringComparison.Ordinal) || w.Error.Contains(password, StringComparison.Ordinal), $"Worker {w.Id} printed the password.");
            }

            Assert.DoesNotContain(trials, t => t.UserAttributes.Values.Any(v => v.Contains(password, StringComparison.Ordinal)));
            Assert.DoesNotContain(trials, t => t.FailReason?.Contains(password, StringComparison.Ordinal) == true);
        }
        finally
        {
            foreach (HpoToolProcess w in workers)
            {
                w.Dispose();
            }

            try
            {
                Directory.Delete(artifacts, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, List<HpoToolProcess> workers)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                Assert.Fail($"Timed out waiting for {what}.{string.Concat(workers.Select(w => w.Describe()))}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Starts one <c>hpo worker</c> process, its storage URL in HPO_STORAGE (never on its command line).</summary>
    private static HpoToolProcess StartWorker(string url, string artifacts, string command) =>
        HpoToolProcess.Start(["worker", "--study", StudyName, "--command", command, "--artifacts", artifacts, "--format", "json"], new Dictionary<string, string> { ["HPO_STORAGE"] = url });
}
