using System.Diagnostics;
using System.Globalization;
using Hpo.Execution;
using Hpo.Execution.Container;
using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Tests.Execution.ChildProcess;
using Hpo.Tests.Shared;
using Hpo.Trials;

namespace Hpo.Tests.Execution.Container;

/// <summary>
/// Runs real containers with podman (a busybox image built and imported by the test): the protocol, failures, stops (prune,
/// timeout, cancellation: the container is gone afterwards), crashes, floods, mounts, and a study end to end with the C# trial program.
/// </summary>
public sealed class ContainerExecutorTests : IAsyncLifetime
{
    // Trial numbers (and so container labels) unique across processes too: the net8.0 and net10.0 test runs share podman.
    private static int nextNumber = 1000 + (Environment.ProcessId % 100_000 * 1000);

    private readonly ArtifactRoots roots = new();

    public Task InitializeAsync() => TestPodman.SkipReason is null ? TestPodman.EnsureImageAsync() : Task.CompletedTask;

    public Task DisposeAsync()
    {
        roots.DeleteAll();
        return Task.CompletedTask;
    }

    /// <summary>A trial with a number no other test uses, so its containers can be found by label.</summary>
    private static FakeTrial NewTrial(Func<IReadOnlyList<(long Step, double Value)>, bool>? prune = null) =>
        new(TrialPrograms.Space, new Dictionary<string, object> { ["x"] = 0.5, ["layers"] = 2L, ["optimizer"] = "adam" }, prune)
        {
            Number = Interlocked.Increment(ref nextNumber),
            StudyName = "container tests",
        };

    private static string Label(FakeTrial trial) => "hpo.trial=" + trial.Number.ToString(CultureInfo.InvariantCulture);

    private static async Task<TrialOutcome> RunAsync(ContainerExecutorOptions options, FakeTrial trial, CancellationToken cancellationToken = default)
    {
        await using var executor = new ContainerExecutor(options);
        return await executor.ExecuteAsync(new TrialRequest(trial), cancellationToken);
    }

    [PodmanFact]
    public async Task ExecuteAsync_ReportsAndResult_CompletedWithProtocolEnvironmentAndParametersFile()
    {
        FakeTrial trial = NewTrial();
        string script = "echo \"dir=$HPO_ARTIFACTS_DIR n=$HPO_TRIAL_NUMBER study=$HPO_STUDY_NAME v=$HPO_PROTOCOL_VERSION\"; cat \"$HPO_PARAMETERS_FILE\"; echo; " +
            "echo \"$HPO_PARAMETERS\"; echo 'hpo:report 1 0.5'; echo 'hpo:report 2 0.25'; echo 'hpo:attr where container'; echo 'hpo:result 0.125'";

        TrialOutcome outcome = await RunAsync(Podman.Shell(roots, script), trial);

        Assert.True(outcome.Kind == TrialOutcomeKind.Completed, outcome.Reason);
        Assert.Equal(0.125, outcome.Value);
        Assert.Equal([(1L, 0.5), (2L, 0.25)], trial.Reports);
        Assert.Equal("container", trial.UserAttributes["where"]);
        string[] log = trial.UserAttributes[TrialProtocol.LogTailAttribute].Split('\n');
        Assert.Equal($"dir=/hpo/artifacts n={trial.Number} study=container tests v=1", log[0]);
        string parameters = TrialProtocol.WriteParameters(trial.Parameters);
        Assert.Equal(parameters, log[1]);
        Assert.Equal(parameters, log[2]);
        Assert.Empty(TestPodman.Containers(Label(trial)));
    }

    [PodmanFact]
    public async Task ExecuteAsync_ArtifactsMount_FilesWrittenInTheContainerAppearOnTheHost()
    {
        FakeTrial trial = NewTrial();

        TrialOutcome outcome = await RunAsync(Podman.Shell(roots, "mkdir -p \"$HPO_ARTIFACTS_DIR/model\" && echo weights > \"$HPO_ARTIFACTS_DIR/model/w.txt\" && echo 'hpo:result 1'"), trial);

        Assert.True(outcome.Kind == TrialOutcomeKind.Completed, outcome.Reason);
        string artifacts = trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute];
        Assert.Equal("weights\n", await File.ReadAllTextAsync(Path.Combine(artifacts, "model", "w.txt")));
        Assert.True(File.Exists(Path.Combine(artifacts, TrialProtocol.LogFileName)));
    }

    [PodmanFact]
    public async Task ExecuteAsync_DataMount_ReadableButNotWritable()
    {
        string data = Path.Combine(roots.New(), "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "train.csv"), "a,b\n");
        ContainerExecutorOptions options = Podman.Shell(roots, "cat /data/train.csv; if (echo x > /data/new.txt) 2>/dev/null; then echo writable; else echo read-only; fi; echo 'hpo:result 1'");
        options.Mounts.Add(new ContainerMount(data, "/data"));
        FakeTrial trial = NewTrial();

        TrialOutcome outcome = await RunAsync(options, trial);

        Assert.True(outcome.Kind == TrialOutcomeKind.Completed, outcome.Reason);
        Assert.Equal("a,b\nread-only\n", trial.UserAttributes[TrialProtocol.LogTailAttribute]);
        Assert.False(File.Exists(Path.Combine(data, "new.txt")));
    }

    [PodmanFact]
    public async Task ExecuteAsync_NonZeroExit_FailedWithCodeAndLogTail()
    {
        TrialOutcome outcome = await RunAsync(Podman.Shell(roots, "echo 'CUDA out of memory' >&2; echo 'hpo:result 1'; exit 3"), NewTrial());

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("exited with code 3.", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("CUDA out of memory", outcome.Reason, StringComparison.Ordinal);
    }

    [PodmanFact]
    public async Task ExecuteAsync_ProgramCrashes_FailedWithSignal()
    {
        // The script is PID 1, which SIGKILL from inside cannot kill: the crash is a child's, whose status the script returns.
        TrialOutcome outcome = await RunAsync(Podman.Shell(roots, "echo 'hpo:report 1 2'; sh -c 'kill -9 $$'; exit $?"), NewTrial());

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("code 137", outcome.Reason, StringComparison.Ordinal);
    }

    [PodmanFact]
    public async Task ExecuteAsync_UnknownImageWithPullNever_FailedWithTheCliMessage()
    {
        ContainerExecutorOptions options = Podman.Shell(roots, "echo 'hpo:result 1'");
        options.Image = "localhost/hpo-no-such-image:0";

        TrialOutcome outcome = await RunAsync(options, NewTrial());

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("code 125 (the container CLI failed", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("hpo-no-such-image", outcome.Reason, StringComparison.Ordinal);
    }

    [PodmanFact]
    public async Task ExecuteAsync_OutputFlood_CompletedWithBoundedTailAndWholeLogOnDisk()
    {
        FakeTrial trial = NewTrial();
        ContainerExecutorOptions options = Podman.Shell(roots, "yes 'flooding the output with a line' | head -n 200000; head -c 300000 /dev/zero | tr '\\0' x; echo; echo 'hpo:result 2'");
        options.LogTailLength = 1000;

        var clock = Stopwatch.StartNew();
        TrialOutcome outcome = await RunAsync(options, trial);

        Assert.True(outcome.Kind == TrialOutcomeKind.Completed, outcome.Reason);
        Assert.Equal(2, outcome.Value);
        Assert.True(trial.UserAttributes[TrialProtocol.LogTailAttribute].Length <= 1000);
        long size = new FileInfo(Path.Combine(trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute], TrialProtocol.LogFileName)).Length;
        Assert.True(size > 200000L * 33, $"the log holds {size} bytes");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [PodmanFact]
    public async Task ExecuteAsync_PruneDecision_StopsAndRemovesTheContainer()
    {
        FakeTrial trial = NewTrial(reports => reports.Count >= 2);
        ContainerExecutorOptions options = Podman.Shell(roots, "i=0; while true; do i=$((i+1)); echo \"hpo:report $i $i\"; sleep 0.2; done");

        var clock = Stopwatch.StartNew();
        TrialOutcome outcome = await RunAsync(options, trial);

        Assert.Equal(TrialOutcomeKind.Pruned, outcome.Kind);
        Assert.Equal(2, outcome.Value);
        Assert.Equal(2, trial.PruneQuestions);
        Assert.Empty(TestPodman.Containers(Label(trial)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [PodmanFact]
    public async Task ExecuteAsync_Cancelled_HungProgramStoppedAndContainerGone()
    {
        FakeTrial trial = NewTrial();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var clock = Stopwatch.StartNew();
        TrialOutcome outcome = await RunAsync(Podman.Shell(roots, "echo started; sleep 600"), trial, cancel.Token);

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("cancelled", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty(TestPodman.Containers(Label(trial)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [PodmanFact]
    public async Task ExecuteAsync_StoppedCSharpProgram_GetsSigtermAndExitsWithinTheGracePeriod()
    {
        FakeTrial trial = NewTrial(reports => reports.Count >= 3);

        TrialOutcome outcome = await RunAsync(Podman.CSharp(roots, "stoppable"), trial);

        Assert.True(outcome.Kind == TrialOutcomeKind.Pruned, outcome.Reason);
        Assert.Contains("stopped cleanly after SIGTERM", trial.UserAttributes[TrialProtocol.LogTailAttribute], StringComparison.Ordinal);
        Assert.Equal("0", trial.UserAttributes[TrialProtocol.ExitCodeAttribute]);
        Assert.Empty(TestPodman.Containers(Label(trial)));
    }

    [PodmanFact]
    public async Task DisposeAsync_RunningContainer_StoppedAndTrialFailed()
    {
        FakeTrial trial = NewTrial();
        var executor = new ContainerExecutor(Podman.Shell(roots, "echo 'hpo:report 1 1'; sleep 600"));
        ValueTask<TrialOutcome> run = executor.ExecuteAsync(new TrialRequest(trial), CancellationToken.None);
        await WaitUntilAsync(() => trial.Reports.Count > 0);

        await executor.DisposeAsync();
        TrialOutcome outcome = await run;

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("disposed", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty(TestPodman.Containers(Label(trial)));
    }

    [PodmanFact]
    public async Task OptimizeAsync_CSharpProgramInContainers_CompletesTheBudgetWithTheProgramsValues()
    {
        var space = new SearchSpaceBuilder().AddFloat("x", -2, 2).AddInt("layers", 1, 4).AddCategorical("optimizer", ["sgd", "adam"]).Build();
        Study study = await Study.CreateAsync(new InMemoryStudyStorage(), "csharp in containers", space, new StudyOptions { Seed = 3 });
        await using var executor = new ContainerExecutor(Podman.CSharp(roots, "train"));

        await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 2, Concurrency = 2 });

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(2, trials.Count);
        foreach (TrialRecord t in trials)
        {
            Assert.True(t.State == TrialState.Complete, t.FailReason);
            double x = Convert.ToDouble(t.Parameters["x"], CultureInfo.InvariantCulture);
            double layers = Convert.ToDouble(t.Parameters["layers"], CultureInfo.InvariantCulture);
            Assert.Equal(((1 - x) * (1 - x)) + (layers / 10.0), t.Value!.Value, 12);
            Assert.Equal(3, t.IntermediateValues.Count);
        }
    }

    [PodmanFact]
    public async Task OptimizeAsync_CrashHangAndFloodTrials_WorkerNeverStallsAndEveryTrialIsRecorded()
    {
        // Trial 0 crashes, 1 hangs past the timeout, 2 floods its output, 3 completes; two at a time.
        string script = "case $HPO_TRIAL_NUMBER in 0) sh -c 'kill -9 $$'; exit $? ;; 1) sleep 600 ;; 2) yes flood | head -n 100000; echo 'hpo:result 2' ;; *) echo 'hpo:result 3' ;; esac";
        var space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();
        Study study = await Study.CreateAsync(new InMemoryStudyStorage(), "unruly containers", space);
        await using var executor = new ContainerExecutor(Podman.Shell(roots, script));

        var clock = Stopwatch.StartNew();
        await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 4, Concurrency = 2, TrialTimeout = TimeSpan.FromSeconds(4) });

        TrialRecord[] trials = [.. (await study.GetTrialsAsync()).OrderBy(t => t.Number)];
        Assert.Equal([TrialState.Failed, TrialState.Failed, TrialState.Complete, TrialState.Complete], trials.Select(t => t.State));
        Assert.Contains("code 137", trials[0].FailReason, StringComparison.Ordinal);
        Assert.Contains("Timed out", trials[1].FailReason, StringComparison.Ordinal);
        Assert.Equal([2.0, 3.0], trials[2..].Select(t => t.Value!.Value));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");

        // The study records a timed-out trial at once and moves on; the executor stops its container in the background.
        await WaitUntilAsync(() => TestPodman.Containers("hpo.study=unruly containers").Count == 0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the condition did not hold within 30 s");
            await Task.Delay(50);
        }
    }
}
