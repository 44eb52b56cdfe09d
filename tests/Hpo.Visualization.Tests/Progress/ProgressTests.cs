using Hpo.Objectives;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Visualization.Progress;
using Microsoft.Extensions.Time.Testing;
using Spectre.Console;

namespace Hpo.Visualization.Tests.Progress;

public sealed class ProgressTests
{
    private sealed class Collector : IProgress<StudyProgress>
    {
        public List<StudyProgress> Reports { get; } = [];

        public void Report(StudyProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }

    private static Task<Study> StudyAsync(InMemoryStudyStorage storage, int? budget) =>
        Study.CreateAsync(storage, "p", Studies.XY, new StudyOptions { Seed = 3, Budget = budget });

    [Fact]
    public async Task ReportProgress_RealRun_ReportsEveryTrialWithStudyCountsAndBest()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await StudyAsync(storage, budget: 12);
        var collector = new Collector();
        int callbacks = 0;
        var options = new OptimizeOptions { OnTrialFinished = _ => { callbacks++; return ValueTask.CompletedTask; } }.ReportProgress(collector);

        await study.OptimizeAsync(Objective.Create((trial, _) => trial.Number % 4 == 3 ? throw new InvalidOperationException("boom") : ValueTask.FromResult((ObjectiveResult)trial.Get<double>("x"))), options);

        Assert.Equal(12, callbacks);
        Assert.Equal(12, collector.Reports.Count);
        StudyProgress last = collector.Reports[^1];
        Assert.Equal(12, last.FinishedThisRun);
        Assert.Equal((9, 3), (last.Counts.Complete, last.Counts.Failed));
        TrialRecord best = (await study.GetBestTrialAsync())!;
        Assert.Equal(best.Number, last.BestTrial!.Number);
        Assert.Equal(0, last.TrialsLeft);
        Assert.Contains("boom", collector.Reports[3].ToLogLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tracker_RateAndTimeLeft_FromBudgetAndClock()
    {
        var clock = new FakeTimeProvider();
        var tracker = new StudyProgressTracker(timeProvider: clock);
        await using var storage = new InMemoryStudyStorage();
        Study study = await StudyAsync(storage, budget: 100);
        TrialRecord trial = new() { Id = 1, Number = 0, State = TrialState.Complete, Parameters = new Dictionary<string, object>(), Values = [1.0] };

        clock.Advance(TimeSpan.FromSeconds(10));
        tracker.Update(new TrialFinishedArguments(study, trial, trial, new TrialCounts(0, 2, 10, 0, 0)));
        clock.Advance(TimeSpan.FromSeconds(10));
        StudyProgress p = tracker.Update(new TrialFinishedArguments(study, trial, trial, new TrialCounts(0, 2, 18, 1, 1)));

        // 2 trials in 20 s: 0.1 trials/s; 100 - 20 finished - 2 running = 78 left: 780 s.
        Assert.Equal(0.1, p.TrialsPerSecond, 9);
        Assert.Equal(78, p.TrialsLeft);
        Assert.Equal(TimeSpan.FromSeconds(780), p.TimeLeft);
    }

    [Fact]
    public async Task Tracker_Timeout_CapsTimeLeft_AndUnboundedRunHasNone()
    {
        var clock = new FakeTimeProvider();
        await using var storage = new InMemoryStudyStorage();
        Study unbounded = await StudyAsync(storage, budget: null);
        TrialRecord trial = new() { Id = 1, Number = 0, State = TrialState.Pruned, Parameters = new Dictionary<string, object>() };
        var capped = new StudyProgressTracker(trialCount: 1000, timeout: TimeSpan.FromMinutes(1), timeProvider: clock);
        var open = new StudyProgressTracker(timeProvider: clock);

        clock.Advance(TimeSpan.FromSeconds(15));
        StudyProgress c = capped.Update(new TrialFinishedArguments(unbounded, trial, null, new TrialCounts(0, 0, 0, 1, 0)));
        StudyProgress o = open.Update(new TrialFinishedArguments(unbounded, trial, null, new TrialCounts(0, 0, 0, 1, 0)));

        Assert.Equal(TimeSpan.FromSeconds(45), c.TimeLeft);
        Assert.Null(o.TimeLeft);
        Assert.Null(o.TrialsLeft);
    }

    [Fact]
    public async Task PlainView_WritesOneLinePerTrial()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await StudyAsync(storage, budget: 3);
        using var output = new StringWriter();
        var view = new ConsoleProgressView(output, "w: ");

        await view.RunAsync(() => study.OptimizeAsync(Objective.Create((trial, _) => ValueTask.FromResult((ObjectiveResult)trial.Get<double>("x"))), new OptimizeOptions().ReportProgress(view)));

        string[] lines = output.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^w: trial \d complete value [-0-9.E]+ \| study: \d finished \(\d complete, 0 pruned, 0 failed, 0 stale\), \d running \| best .* \| [0-9.]+ trials/s \| \d+:\d\d left$", l));
        Assert.False(view.IsLive);
    }

    [Fact]
    public async Task LiveView_DrawsThePanelOnAnInteractiveConsole()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await StudyAsync(storage, budget: 5);
        using var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, ColorSystem = ColorSystemSupport.NoColors });
        var view = new ConsoleProgressView(console);

        OptimizeResult result = await view.RunAsync(() => study.OptimizeAsync(Objective.Create((trial, _) => ValueTask.FromResult((ObjectiveResult)trial.Get<double>("x"))), new OptimizeOptions().ReportProgress(view)));

        string text = output.ToString();
        Assert.True(view.IsLive);
        Assert.Equal(5, result.TrialsRun);
        Assert.Contains("Study p", text, StringComparison.Ordinal);
        Assert.Contains("5 complete", text, StringComparison.Ordinal);
        Assert.Contains($"(trial {result.BestTrial!.Number})", text, StringComparison.Ordinal);
        Assert.Contains("trials/s", text, StringComparison.Ordinal);
    }
}
