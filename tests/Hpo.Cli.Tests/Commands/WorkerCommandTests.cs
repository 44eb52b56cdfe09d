using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Testing;
using Hpo.Tests.Shared;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Cli.Tests.Commands;

/// <summary>
/// <c>hpo worker</c> as real processes on real SQLite files: a worker finishes the budget, two workers share a study, and
/// SIGTERM mid-trial loses nothing (the trial finishes within the grace period, or is handed back and retried). In process:
/// <c>--objective</c> and the usage errors.
/// </summary>
public sealed class WorkerCommandTests : IDisposable
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", -2, 2).Build();

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Url => folder.Url();

    private async Task CreateStudyAsync(string name, int budget, int maxRetries = 0)
    {
        await using IStudyStorage storage = StorageRegistry.Default.Open(Url);
        await Study.CreateAsync(storage, name, Space, new StudyOptions { Budget = budget, MaxRetries = maxRetries, Seed = 5, Lease = TimeSpan.FromSeconds(3) });
    }

    private async Task<IReadOnlyList<TrialRecord>> TrialsAsync(string name)
    {
        await using IStudyStorage storage = StorageRegistry.Default.Open(Url);
        Study study = await Study.LoadAsync(storage, name);
        return await study.GetTrialsAsync();
    }

    private static double X(TrialRecord t) => Convert.ToDouble(t.Parameters["x"], CultureInfo.InvariantCulture);

    [Fact]
    public async Task Worker_CommandOnSqliteStudy_FinishesTheBudgetAndExitsZero()
    {
        await CreateStudyAsync("budget", budget: 5);

        CliResult result = await ToolProcess.Start(folder.Path, "worker", "--storage", Url, "--study", "budget", "--concurrency", "2", "--format", "json",
            "--command", "sh -c 'echo epoch 1; echo \"hpo:report 1 {param:x}\"; echo \"hpo:result {param:x}\"'", "--artifacts", folder.File("artifacts")).WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement summary = result.Json();
        Assert.Equal("budget reached", summary.GetProperty("stop_reason").GetString());
        Assert.Equal(5, summary.GetProperty("trials_run").GetInt32());
        IReadOnlyList<TrialRecord> trials = await TrialsAsync("budget");
        Assert.Equal(5, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Complete, t.State);
            Assert.Equal(X(t), t.Value!.Value);
            Assert.Equal(X(t), t.IntermediateValues[1]);
        });
        Assert.Contains("trial 4 complete", result.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder.File("artifacts"), "budget", "trial-0", "trial.log")));
    }

    [Fact]
    public async Task Worker_TwoWorkersShareAStudy_BudgetExactAndBothRunTrials()
    {
        // One-second trials: a worker alone would need six seconds, so the second one surely starts in time to take some.
        await CreateStudyAsync("shared", budget: 6);
        string[] arguments = ["worker", "--storage", Url, "--study", "shared", "--format", "json", "--command", "sh -c 'sleep 1; echo \"hpo:result {param:x}\"'"];

        ToolProcess a = ToolProcess.Start(folder.Path, arguments);
        ToolProcess b = ToolProcess.Start(folder.Path, arguments);
        CliResult[] results = await Task.WhenAll(a.WaitAsync(), b.WaitAsync());

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        IReadOnlyList<TrialRecord> trials = await TrialsAsync("shared");
        Assert.Equal(6, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(6, results.Sum(r => r.Json().GetProperty("trials_run").GetInt32()));
        Assert.Equal(2, trials.Select(t => t.Owner).Distinct().Count());
    }

    [Fact]
    public async Task Worker_SigtermMidTrial_RunningTrialFinishesWithinTheGracePeriodAndNoneStarts()
    {
        await CreateStudyAsync("graceful", budget: 5);
        ToolProcess worker = ToolProcess.Start(folder.Path, "worker", "--storage", Url, "--study", "graceful", "--format", "json", "--grace-period", "30s",
            "--command", "sh -c 'echo \"hpo:report 1 1\"; sleep 2; echo \"hpo:result {param:x}\"'");
        await WaitForRunningAsync("graceful");

        worker.Terminate();
        CliResult result = await worker.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("stopped", result.Json().GetProperty("stop_reason").GetString());
        Assert.Equal(0, result.Json().GetProperty("handed_back").GetInt32());
        TrialRecord trial = Assert.Single(await TrialsAsync("graceful"));
        Assert.Equal(TrialState.Complete, trial.State);
        Assert.Equal(X(trial), trial.Value!.Value);
    }

    [Fact]
    public async Task Worker_SigtermMidTrialPastTheGracePeriod_HandsTheTrialBackAndAnotherWorkerRetriesIt()
    {
        await CreateStudyAsync("handback", budget: 2, maxRetries: 1);
        ToolProcess slow = ToolProcess.Start(folder.Path, "worker", "--storage", Url, "--study", "handback", "--format", "json", "--grace-period", "1s",
            "--command", "sh -c 'echo \"hpo:report 1 7\"; sleep 60; echo \"hpo:result 0\"'");
        await WaitForRunningAsync("handback");

        var clock = Stopwatch.StartNew();
        slow.Terminate();
        CliResult stopped = await slow.WaitAsync();
        TimeSpan shutdown = clock.Elapsed;

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Equal("handed back", stopped.Json().GetProperty("stop_reason").GetString());
        Assert.Equal(1, stopped.Json().GetProperty("handed_back").GetInt32());
        Assert.True(shutdown < TimeSpan.FromSeconds(20), $"the worker took {shutdown} to stop");
        IReadOnlyList<TrialRecord> after = await TrialsAsync("handback");
        TrialRecord handed = Assert.Single(after, t => t.State == TrialState.Stale);
        Assert.Contains("handed back", handed.FailReason, StringComparison.Ordinal);
        Assert.Equal(7, handed.IntermediateValues[1]);
        Assert.DoesNotContain(after, t => t.State == TrialState.Running);

        CliResult fast = await ToolProcess.Start(folder.Path, "worker", "--storage", Url, "--study", "handback", "--format", "json",
            "--command", "sh -c 'echo \"hpo:result {param:x}\"'").WaitAsync();

        Assert.True(fast.ExitCode == 0, fast.ToString());
        IReadOnlyList<TrialRecord> trials = await TrialsAsync("handback");
        TrialRecord[] complete = [.. trials.Where(t => t.State == TrialState.Complete)];
        Assert.Equal(2, complete.Length);
        TrialRecord retry = Assert.Single(complete, t => TrialRetry.RetryOf(t) is not null);
        Assert.Equal(handed.Number, TrialRetry.RetryOf(retry));
        Assert.Equal(X(handed), X(retry));
    }

    [PodmanFact]
    public async Task Worker_Image_RunsEachTrialInAContainerOfTheImageWithItsOwnCommand()
    {
        const string Image = "localhost/hpo-test-trial:rootfs-2";
        await TestPodman.EnsureImageAsync(Image, """["/bin/sh", "-c", "echo \"hpo:report 1 $HPO_TRIAL_NUMBER\"; cat $HPO_PARAMETERS_FILE > $HPO_ARTIFACTS_DIR/seen.json; echo \"hpo:result $HPO_TRIAL_NUMBER\""]""");
        await CreateStudyAsync("image", budget: 3);

        CliResult result = await ToolProcess.Start(folder.Path, "worker", "--storage", Url, "--study", "image", "--image", Image, "--concurrency", "2", "--format", "json",
            "--container-cli", "podman", "--container-global-arg", string.Join(' ', TestPodman.GlobalArguments), "--container-arg", string.Join(' ', TestPodman.RunArguments),
            "--artifacts", folder.File("artifacts")).WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        IReadOnlyList<TrialRecord> trials = await TrialsAsync("image");
        Assert.Equal(3, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.True(t.State == TrialState.Complete, t.FailReason);
            Assert.Equal(t.Number, t.Value!.Value);
            string seen = File.ReadAllText(Path.Combine(folder.File("artifacts"), "image", "trial-" + t.Number.ToString(CultureInfo.InvariantCulture), "seen.json"));
            Assert.Equal(X(t), JsonDocument.Parse(seen).RootElement.GetProperty("x").GetDouble());
        });
        Assert.Empty(TestPodman.Containers("hpo.study=image"));
    }

    [Fact]
    public async Task Worker_Objective_LoadsTheTypeFromTheAssemblyAndRunsTheBudgetInProcess()
    {
        await CreateStudyAsync("objective", budget: 3);
        string assembly = typeof(WorkerCommandTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Hpo.TestTrialProgram").Value!;

        CliResult result = await Cli.RunAsync("worker", "--storage", Url, "--study", "objective", "--objective", assembly + ":Hpo.TestTrialProgram.QuadraticObjective", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        IReadOnlyList<TrialRecord> trials = await TrialsAsync("objective");
        Assert.Equal(3, trials.Count);
        Assert.All(trials, t => Assert.Equal((X(t) - 1) * (X(t) - 1), t.Value!.Value, 12));
    }

    [Theory]
    [InlineData("Give exactly one of --command, --image or --objective")]
    [InlineData("Give exactly one of --command, --image or --objective", "--command", "true", "--image", "x")]
    [InlineData("go with --image", "--command", "true", "--container-arg", "--network none")]
    [InlineData("path.dll:Namespace.Type", "--objective", "nocolon")]
    [InlineData("'--concurrency' must be at least 1", "--command", "true", "--concurrency", "0")]
    public async Task Worker_WrongCommandLine_ExitsTwoWithTheReason(string expected, params string[] extra)
    {
        CliResult result = await Cli.RunAsync(["worker", "--storage", Url, "--study", "s", .. extra]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_ObjectiveTypeMissing_ExitsOneNamingTheType()
    {
        string assembly = typeof(WorkerCommandTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Hpo.TestTrialProgram").Value!;

        CliResult result = await Cli.RunAsync("worker", "--storage", Url, "--study", "s", "--objective", assembly + ":Hpo.TestTrialProgram.Nope");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no type 'Hpo.TestTrialProgram.Nope'", result.Error, StringComparison.Ordinal);
    }

    private async Task WaitForRunningAsync(string study)
    {
        var clock = Stopwatch.StartNew();
        while (!(await TrialsAsync(study)).Any(t => t.State == TrialState.Running && t.IntermediateValues.Count > 0))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no trial started within 60 s");
            await Task.Delay(100);
        }
    }

    /// <summary>The built tool run as a real process (<c>dotnet Hpo.Cli.dll …</c>).</summary>
    private sealed class ToolProcess
    {
        private readonly Process process;
        private readonly Task<string> output;
        private readonly StringBuilder error = new();
        private readonly Task errorDone;

        private ToolProcess(Process process)
        {
            this.process = process;
            output = process.StandardOutput.ReadToEndAsync();
            errorDone = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is string line)
                {
                    lock (error)
                    {
                        error.Append(line).Append('\n');
                    }
                }
            });
        }

        public static ToolProcess Start(string workingDirectory, params string[] arguments)
        {
            var start = new ProcessStartInfo(BuiltTools.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
            start.ArgumentList.Add(HpoTool.Path);
            foreach (string a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            return new ToolProcess(Process.Start(start)!);
        }

        public void Terminate()
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public async Task<CliResult> WaitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            await errorDone;
            return new CliResult(process.ExitCode, (await output).ReplaceLineEndings("\n"), error.ToString());
        }
    }
}
