using System.Globalization;
using Hpo.Execution;
using Hpo.Execution.ChildProcess;
using Hpo.Pruners;
using Hpo.Pruners.Median;
using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tests.Execution.ChildProcess;

/// <summary>Runs real child processes: shell scripts for the protocol cases, tests/Hpo.TestTrialProgram end to end through a study.</summary>
public sealed class ChildProcessExecutorTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // This test's own artifacts roots: the child-process test classes run in parallel, and a root shared with another class
    // was deleted by that class's clean-up while a trial of this one still used it.
    private readonly ArtifactRoots roots = new();

    private static FakeTrial NewTrial(Func<IReadOnlyList<(long Step, double Value)>, bool>? prune = null) =>
        new(TrialPrograms.Space, new Dictionary<string, object> { ["x"] = 0.5, ["layers"] = 2L, ["optimizer"] = "adam" }, prune);

    private async Task<TrialOutcome> RunAsync(string script, FakeTrial? trial = null, CancellationToken cancellationToken = default)
    {
        await using var executor = new ChildProcessExecutor(TrialPrograms.Shell(roots, script));
        return await executor.ExecuteAsync(new TrialRequest(trial ?? NewTrial()), cancellationToken);
    }

    public void Dispose() => roots.DeleteAll();

    [Fact]
    public async Task ExecuteAsync_ResultLine_CompletedWithValueAndAttributes()
    {
        FakeTrial trial = NewTrial();

        TrialOutcome outcome = await RunAsync("echo hello; echo 'hpo:result 0.25'", trial);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(0.25, outcome.Value);
        Assert.Equal("hello\n", trial.UserAttributes[TrialProtocol.LogTailAttribute]);
        Assert.Equal("0", trial.UserAttributes[TrialProtocol.ExitCodeAttribute]);
        string log = Path.Combine(trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute], TrialProtocol.LogFileName);
        Assert.Equal("hello\n", await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task ExecuteAsync_ReportsThenResult_ForwardsEachReportAndAsksToPruneAfterEach()
    {
        FakeTrial trial = NewTrial();

        TrialOutcome outcome = await RunAsync("for i in 1 2 3; do echo \"hpo:report $i 0.$i\"; done; echo 'hpo:attr note two words'; echo 'hpo:result -1.5e-3'", trial);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(-1.5e-3, outcome.Value);
        Assert.Equal([(1L, 0.1), (2L, 0.2), (3L, 0.3)], trial.Reports);
        Assert.Equal(3, trial.PruneQuestions);
        Assert.Equal("two words", trial.UserAttributes["note"]);
    }

    [Fact]
    public async Task ExecuteAsync_NonZeroExit_FailedWithExitCodeAndLogTail()
    {
        TrialOutcome outcome = await RunAsync("echo 'CUDA out of memory' >&2; echo 'hpo:result 1'; exit 3");

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("exited with code 3", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("CUDA out of memory", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ProgramKillsItself_FailedWithSignal()
    {
        TrialOutcome outcome = await RunAsync("echo 'hpo:report 1 2'; kill -9 $$");

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("code 137 (killed by signal 9?)", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ExitZeroWithoutResult_FailedNamingTheMissingLine()
    {
        TrialOutcome outcome = await RunAsync("echo 'training done'");

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("without printing a final value", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("training done", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_MalformedResultLine_FailureNamesTheLine()
    {
        TrialOutcome outcome = await RunAsync("echo 'hpo:result 0,5'");

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("hpo:result 0,5", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_GarbageLines_KeptInLogAndIgnored()
    {
        FakeTrial trial = NewTrial();
        const string Script = "printf 'hpo\\nhpo:\\nhpo:report x y\\nhpo:bogus 1\\n\\001\\377 binary\\n  hpo:result 9\\nxhpo:result 9\\n'; echo 'hpo:result 4'";

        TrialOutcome outcome = await RunAsync(Script, trial);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(4, outcome.Value);
        Assert.Empty(trial.Reports);
        string tail = trial.UserAttributes[TrialProtocol.LogTailAttribute];
        Assert.Contains("hpo:report x y", tail, StringComparison.Ordinal);
        Assert.Contains("  hpo:result 9", tail, StringComparison.Ordinal);
        Assert.Contains("binary", tail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_NaNAndInfinity_ParsedNotRejected()
    {
        FakeTrial trial = NewTrial();

        TrialOutcome outcome = await RunAsync("echo 'hpo:report 1 inf'; echo 'hpo:report 2 -Infinity'; echo 'hpo:result NaN'", trial);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.True(double.IsNaN(outcome.Value!.Value));
        Assert.Equal([(1L, double.PositiveInfinity), (2L, double.NegativeInfinity)], trial.Reports);
    }

    [Fact]
    public async Task ExecuteAsync_HugeOutputOnBothStreams_WholeLogKeptAndTailBounded()
    {
        FakeTrial trial = NewTrial();

        TrialOutcome outcome = await RunAsync("seq 1 100000 >&2 & seq 1 200000; wait; echo 'hpo:result 2'", trial);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        string log = Path.Combine(trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute], TrialProtocol.LogFileName);
        Assert.Equal(300_000, File.ReadLines(log).Count());
        Assert.InRange(trial.UserAttributes[TrialProtocol.LogTailAttribute].Length, 3000, 4096);
    }

    [Fact]
    public async Task ExecuteAsync_FloodWithoutLineBreaks_LoggedInPiecesAndCompleted()
    {
        FakeTrial trial = NewTrial();

        TrialOutcome outcome = await RunAsync("head -c 3000000 /dev/zero | tr '\\000' x; echo 'hpo:result 3'; echo; echo 'hpo:result 2'", trial);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(2, outcome.Value);
        string log = Path.Combine(trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute], TrialProtocol.LogFileName);
        Assert.Equal(3_000_000 + "hpo:result 3".Length, File.ReadLines(log).Sum(l => l.Length));
    }

    [Fact]
    public async Task ExecuteAsync_Environment_CarriesTheProtocolVariables()
    {
        FakeTrial trial = NewTrial();
        const string Script = "echo \"hpo:attr n $HPO_TRIAL_NUMBER\"; echo \"hpo:attr s $HPO_STUDY_NAME\"; echo \"hpo:attr v $HPO_PROTOCOL_VERSION\"; "
            + "echo \"hpo:attr p $HPO_PARAMETERS\"; echo \"hpo:attr f $(cat \"$HPO_PARAMETERS_FILE\")\"; test -d \"$HPO_ARTIFACTS_DIR\" && echo \"hpo:attr d $HPO_ARTIFACTS_DIR\"; "
            + "test -s \"$HPO_SEARCH_SPACE_FILE\" && echo 'hpo:result 0'";

        TrialOutcome outcome = await RunAsync(Script, trial);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.Equal("7", trial.UserAttributes["n"]);
        Assert.Equal("fake study", trial.UserAttributes["s"]);
        Assert.Equal("1", trial.UserAttributes["v"]);
        Assert.Equal("{\"x\":0.5,\"layers\":2,\"optimizer\":\"adam\"}", trial.UserAttributes["p"]);
        Assert.Equal(trial.UserAttributes["p"], trial.UserAttributes["f"]);
        Assert.Equal(trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute], trial.UserAttributes["d"]);
    }

    [Fact]
    public async Task ExecuteAsync_ParametersWithSpacesQuotesAndUnicode_ReachTheProgramIntact()
    {
        const string Label = "it's a \"quoted\" ünïcødé ✓ label; $HOME `x`";
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("label", [Label, "plain"]).AddFloat("lr", 1e-5, 1, log: true).Build();
        var trial = new FakeTrial(space, new Dictionary<string, object> { ["label"] = Label, ["lr"] = 1.0 / 3 });
        ChildProcessExecutorOptions options = TrialPrograms.Shell(roots, "echo \"hpo:attr arg $1\"; echo \"hpo:attr lr $2\"; echo 'hpo:result 0'", "{param:label}", "{param:lr}");
        await using var executor = new ChildProcessExecutor(options);

        TrialOutcome outcome = await executor.ExecuteAsync(new TrialRequest(trial), CancellationToken.None);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(Label, trial.UserAttributes["arg"]);
        Assert.Equal(1.0 / 3, double.Parse(trial.UserAttributes["lr"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ExecuteAsync_CSharpProgram_ParametersRoundTripWithTheirTypes()
    {
        const string Label = "a b \"c\" ✓";
        SearchSpace space = new SearchSpaceBuilder()
            .AddFloat("lr", 1e-5, 1, log: true)
            .AddInt("batch", 1, 1024)
            .AddCategorical("label", [Label, "z"])
            .AddCategorical("width", [64L, 128L])
            .AddCategorical("dropout", [0.0, 0.5])
            .AddCategorical("bias", [true, false])
            .Build();
        var trial = new FakeTrial(space, new Dictionary<string, object> { ["lr"] = 0.1 + 0.2, ["batch"] = 512L, ["label"] = Label, ["width"] = 128L, ["dropout"] = 0.0, ["bias"] = false });
        await using var executor = new ChildProcessExecutor(TrialPrograms.CSharp(roots, "echo"));

        TrialOutcome outcome = await executor.ExecuteAsync(new TrialRequest(trial), CancellationToken.None);

        Assert.True(outcome.Kind == TrialOutcomeKind.Completed, outcome.ToString());
        Assert.Equal("Double:" + (0.1 + 0.2).ToString("R", CultureInfo.InvariantCulture), trial.UserAttributes["p.lr"]);
        Assert.Equal("Int64:512", trial.UserAttributes["p.batch"]);
        Assert.Equal("String:" + Label, trial.UserAttributes["p.label"]);
        Assert.Equal("Int64:128", trial.UserAttributes["p.width"]);
        Assert.Equal("Double:0", trial.UserAttributes["p.dropout"]);
        Assert.Equal("Boolean:False", trial.UserAttributes["p.bias"]);
        Assert.Equal("fake study", trial.UserAttributes["study"]);
        Assert.Equal(trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute], trial.UserAttributes["artifacts"]);
    }

    [Fact]
    public async Task ExecuteAsync_PruneDecision_SendsSigtermAndReportsPrunedWhateverTheExitCode()
    {
        FakeTrial trial = NewTrial(reports => reports.Count >= 3);
        const string Script = "trap 'echo got TERM; exit 0' TERM; i=0; while true; do i=$((i+1)); echo \"hpo:report $i $i\"; sleep 0.05; done";
        ChildProcessExecutorOptions options = TrialPrograms.Shell(roots, Script);
        options.GracePeriod = TimeSpan.FromSeconds(5);
        await using var executor = new ChildProcessExecutor(options);

        TrialOutcome outcome = await executor.ExecuteAsync(new TrialRequest(trial), CancellationToken.None);

        Assert.Equal(TrialOutcomeKind.Pruned, outcome.Kind);
        Assert.Equal(3, outcome.Value);
        Assert.Equal(3, trial.Reports.Count);
        Assert.Contains("got TERM", trial.UserAttributes[TrialProtocol.LogTailAttribute], StringComparison.Ordinal);
        Assert.Equal("0", trial.UserAttributes[TrialProtocol.ExitCodeAttribute]);
    }

    [Fact]
    public async Task ExecuteAsync_ProgramIgnoresSigterm_TreeKilledAfterGracePeriod()
    {
        FakeTrial trial = NewTrial();
        using var cts = new CancellationTokenSource();
        string marker = Path.Combine(roots.New(), "pids");
        Directory.CreateDirectory(marker);
        string script = $"trap '' TERM; sleep 30 & echo $! > '{marker}/grandchild'; echo $$ > '{marker}/child'; while true; do sleep 0.05; done";
        await using var executor = new ChildProcessExecutor(TrialPrograms.Shell(roots, script));

        ValueTask<TrialOutcome> run = executor.ExecuteAsync(new TrialRequest(trial), cts.Token);
        await TrialPrograms.WaitForFileAsync(Path.Combine(marker, "child"), Patience);
        int child = TrialPrograms.ReadPid(Path.Combine(marker, "child"));
        int grandchild = TrialPrograms.ReadPid(Path.Combine(marker, "grandchild"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await cts.CancelAsync();
        TrialOutcome outcome = await run;

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("cancelled", outcome.Reason, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
        Assert.Empty(await TrialPrograms.WaitGoneAsync([child, grandchild], TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task ExecuteAsync_ProgramPrunesItself_PrunedWithItsValue()
    {
        TrialOutcome outcome = await RunAsync("echo 'hpo:report 1 5'; echo 'hpo:pruned 4.5'");

        Assert.Equal(TrialOutcomeKind.Pruned, outcome.Kind);
        Assert.Equal(4.5, outcome.Value);
    }

    [Fact]
    public async Task ExecuteAsync_LargeParameters_PassedThroughTheFileOnly()
    {
        string big = new('w', TrialProtocol.MaxInlineJsonLength + 10);
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("text", [big, "small"]).Build();
        var trial = new FakeTrial(space, new Dictionary<string, object> { ["text"] = big });
        const string Script = "test -z \"${{HPO_PARAMETERS+set}}\" && test -z \"${{HPO_SEARCH_SPACE+set}}\" && grep -q wwwww \"$HPO_PARAMETERS_FILE\" && echo 'hpo:result 1'";
        ChildProcessExecutorOptions options = TrialPrograms.Shell(roots, Script);
        options.Environment[TrialProtocol.ParametersVariable] = "stale value from the worker's environment";
        await using var executor = new ChildProcessExecutor(options);

        TrialOutcome outcome = await executor.ExecuteAsync(new TrialRequest(trial), CancellationToken.None);

        Assert.True(outcome.Kind == TrialOutcomeKind.Completed, outcome.ToString());
    }

    [Fact]
    public async Task ExecuteAsync_EnvironmentAndWorkingDirectory_Applied()
    {
        string directory = roots.New();
        Directory.CreateDirectory(directory);
        System.Environment.SetEnvironmentVariable("HPO_TEST_INHERITED", "inherited");
        FakeTrial trial = NewTrial();
        ChildProcessExecutorOptions options = TrialPrograms.Shell(roots, "echo \"hpo:attr pwd $(pwd)\"; echo \"hpo:attr extra $EXTRA\"; echo \"hpo:attr gone ${{HPO_TEST_INHERITED:-none}}\"; echo 'hpo:result 0'");
        options.WorkingDirectory = directory;
        options.Environment["EXTRA"] = "x y";
        options.Environment["HPO_TEST_INHERITED"] = null;
        await using var executor = new ChildProcessExecutor(options);

        TrialOutcome outcome = await executor.ExecuteAsync(new TrialRequest(trial), CancellationToken.None);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(directory, trial.UserAttributes["pwd"]);
        Assert.Equal("x y", trial.UserAttributes["extra"]);
        Assert.Equal("none", trial.UserAttributes["gone"]);
    }

    [Fact]
    public async Task ExecuteAsync_DescendantKeepsOutputOpenAfterExit_DoesNotStallTheWorker()
    {
        FakeTrial trial = NewTrial();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        TrialOutcome outcome = await RunAsync("sleep 5 & echo $! > \"$HPO_ARTIFACTS_DIR/lingering\"; echo 'hpo:result 1'", trial);

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4.5));
        int lingering = TrialPrograms.ReadPid(Path.Combine(trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute], "lingering"));
        if (TrialPrograms.IsAlive(lingering))
        {
            System.Diagnostics.Process.GetProcessById(lingering).Kill();
        }
    }

    [Fact]
    public async Task ExecuteAsync_ProgramCannotStart_FailedNamingTheProgram()
    {
        var options = new ChildProcessExecutorOptions { Command = ["/nonexistent/trainer"], ArtifactsRoot = roots.New() };
        await using var executor = new ChildProcessExecutor(options);

        TrialOutcome outcome = await executor.ExecuteAsync(new TrialRequest(NewTrial()), CancellationToken.None);

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("/nonexistent/trainer", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_TrialRunning_StopsTheProgram()
    {
        string marker = Path.Combine(roots.New(), "pid");
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        var executor = new ChildProcessExecutor(TrialPrograms.Shell(roots, $"echo $$ > '{marker}'; sleep 30"));
        ValueTask<TrialOutcome> run = executor.ExecuteAsync(new TrialRequest(NewTrial()), CancellationToken.None);
        await TrialPrograms.WaitForFileAsync(marker, Patience);

        await executor.DisposeAsync();
        TrialOutcome outcome = await run;

        Assert.Equal(TrialOutcomeKind.Failed, outcome.Kind);
        Assert.Empty(await TrialPrograms.WaitGoneAsync([TrialPrograms.ReadPid(marker)], TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task OptimizeAsync_CSharpProgramWithConcurrencyTwo_EveryTrialCompleteWithItsValue()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "csharp", TrialPrograms.Space, new StudyOptions { Seed = 3 });
        await using var executor = new ChildProcessExecutor(TrialPrograms.CSharp(roots, "train", epochs: 3));

        OptimizeResult result = await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 4, Concurrency = 2 });

        Assert.Equal(4, result.TrialsRun);
        foreach (TrialRecord t in await study.GetTrialsAsync())
        {
            Assert.True(t.State == TrialState.Complete, $"Trial {t.Number}: {t.State} {t.FailReason}");
            double x = (double)t.Parameters["x"];
            double expected = ((1 - x) * (1 - x)) + ((long)t.Parameters["layers"] / 10.0);
            Assert.Equal(expected, t.Value);
            Assert.Equal([1L, 2L, 3L], t.IntermediateValues.Keys);
            Assert.Equal(expected + (1.0 / 3), t.IntermediateValues[3]);
            Assert.Equal(t.Parameters["optimizer"], t.UserAttributes["optimizer"]);
            Assert.Contains("epoch 3: training...", t.UserAttributes[TrialProtocol.LogTailAttribute], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OptimizeAsync_TrialTimeout_FailsTheTrialAndKillsChildAndGrandchild()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "timeout", TrialPrograms.Space);
        string script = "sleep 30 & echo $! > \"$HPO_ARTIFACTS_DIR/grandchild\"; echo $$ > \"$HPO_ARTIFACTS_DIR/child\"; wait";
        await using var executor = new ChildProcessExecutor(TrialPrograms.Shell(roots, script));

        // The timeout leaves the program time to start and write both pids even on a loaded machine.
        await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 1, TrialTimeout = TimeSpan.FromSeconds(2) });

        TrialRecord trial = Assert.Single(await study.GetTrialsAsync());
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.StartsWith("Timed out", trial.FailReason, StringComparison.Ordinal);
        string artifacts = trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute];
        int[] pids = [TrialPrograms.ReadPid(Path.Combine(artifacts, "child")), TrialPrograms.ReadPid(Path.Combine(artifacts, "grandchild"))];
        Assert.Empty(await TrialPrograms.WaitGoneAsync(pids, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task OptimizeAsync_Cancelled_TrialRecordedCancelledAndProgramGone()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "cancel", TrialPrograms.Space);
        string root = roots.New();
        string pidFile = Path.Combine(root, "cancel", "trial-0", "child");
        ChildProcessExecutorOptions options = TrialPrograms.Shell(roots, "echo $$ > \"$HPO_ARTIFACTS_DIR/child\"; sleep 30");
        options.ArtifactsRoot = root;
        await using var executor = new ChildProcessExecutor(options);
        using var cts = new CancellationTokenSource();

        Task run = study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 1 }, cts.Token);
        await TrialPrograms.WaitForFileAsync(pidFile, Patience);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        TrialRecord trial = Assert.Single(await study.GetTrialsAsync());
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.StartsWith("Cancelled", trial.FailReason, StringComparison.Ordinal);
        Assert.False(TrialPrograms.IsAlive(TrialPrograms.ReadPid(pidFile)));
    }

    [Fact]
    public async Task OptimizeAsync_StudyPrunerStopsShellTrial_RecordedPrunedAfterSigterm()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "prune-rule", TrialPrograms.Space, new StudyOptions { Pruner = new AboveThresholdPruner(2.5) });
        const string Script = "trap 'echo stopping on TERM; exit 0' TERM; i=0; while true; do i=$((i+1)); echo \"hpo:report $i $i\"; sleep 0.05; done";
        await using var executor = new ChildProcessExecutor(TrialPrograms.Shell(roots, Script));

        await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 2, Concurrency = 2, TrialTimeout = TimeSpan.FromSeconds(10) });

        foreach (TrialRecord t in await study.GetTrialsAsync())
        {
            Assert.True(t.State == TrialState.Pruned, $"Trial {t.Number}: {t.State} {t.FailReason}");
            Assert.Equal([1L, 2L, 3L], t.IntermediateValues.Keys);
            Assert.Equal(3, t.Value);
            Assert.Contains("stopping on TERM", t.UserAttributes[TrialProtocol.LogTailAttribute], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OptimizeAsync_MedianPrunerStopsCSharpTrial_PrunedAlthoughItExitsWithZero()
    {
        await using var storage = new InMemoryStudyStorage();
        var pruner = new MedianPruner(new MedianPrunerOptions { StartupTrials = 1, WarmupSteps = 0 });
        Study study = await Study.CreateAsync(storage, "prune-median", TrialPrograms.Space, new StudyOptions { Pruner = pruner });
        await study.OptimizeAsync(
            async (trial, ct) =>
            {
                for (int step = 0; step < 5; step++)
                {
                    await trial.ReportAsync(step, 1.0, ct);
                }

                return 1.0;
            },
            new OptimizeOptions { TrialCount = 1 });
        await using var executor = new ChildProcessExecutor(TrialPrograms.CSharp(roots, "stoppable"));

        await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 1, TrialTimeout = TimeSpan.FromSeconds(20) });

        TrialRecord trial = (await study.GetTrialsAsync())[1];
        Assert.True(trial.State == TrialState.Pruned, $"{trial.State} {trial.FailReason}");
        Assert.Equal("0", trial.UserAttributes[TrialProtocol.ExitCodeAttribute]);
        Assert.Contains("stopped cleanly after SIGTERM", trial.UserAttributes[TrialProtocol.LogTailAttribute], StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptimizeAsync_NaNResult_RecordedFailedAsNotFinite()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "nan", TrialPrograms.Space);
        await using var executor = new ChildProcessExecutor(TrialPrograms.Shell(roots, "echo 'hpo:result nan'"));

        await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 1 });

        TrialRecord trial = Assert.Single(await study.GetTrialsAsync());
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.Contains("not a finite number", trial.FailReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptimizeAsync_ProgramFails_RecordedFailedWithReasonAndStudyGoesOn()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "fail", TrialPrograms.Space);
        await using var executor = new ChildProcessExecutor(TrialPrograms.Shell(roots, "echo 'Traceback: bad' >&2; exit 1"));

        OptimizeResult result = await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { TrialCount = 2 });

        Assert.Equal(2, result.Counts.Failed);
        foreach (TrialRecord t in await study.GetTrialsAsync())
        {
            Assert.Contains("exited with code 1", t.FailReason, StringComparison.Ordinal);
            Assert.Contains("Traceback: bad", t.FailReason, StringComparison.Ordinal);
            Assert.StartsWith("The trial program exited with code 1.", t.FailReason, StringComparison.Ordinal);
            Assert.Equal(typeof(TrialExecutionException).FullName, t.ExceptionType);
        }
    }

    /// <summary>A rule written for the tests: prune as soon as the last reported value exceeds a threshold.</summary>
    private sealed class AboveThresholdPruner(double threshold) : PrunerBase
    {
        public override string Name => "above-threshold";

        public override bool ShouldPrune(PruningContext context) => context.IntermediateValues.Count > 0 && context.IntermediateValues.Values.Last() > threshold;
    }
}
