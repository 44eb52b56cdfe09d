using System.Collections.Concurrent;
using Hpo.Objectives;
using Hpo.Pruners;
using Hpo.Pruners.Median;
using Hpo.Pruners.SuccessiveHalving;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Tests.Storage;
using Hpo.Trials;
using Hpo.Tuners;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Hpo.Tests.Pruners;

/// <summary>Pruners in studies: ITrial.ShouldPruneAsync, how pruned trials are recorded, several workers, and resumes.</summary>
public sealed class PruningStudyTests(ITestOutputHelper output) : IDisposable
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build();

    private readonly List<TempDatabase> databases = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (TempDatabase db in databases)
        {
            db.Dispose();
        }
    }

    private string NewDatabasePath()
    {
        var db = new TempDatabase();
        databases.Add(db);
        return db.Path;
    }

    private IStudyStorage NewStorage(bool sqlite) => sqlite ? new SqliteStudyStorage(NewDatabasePath()) : new InMemoryStudyStorage();

    /// <summary>A learning curve that improves with the steps and is better for smaller x at every step.</summary>
    private static double Curve(double x, long step) => x + (1.0 / step);

    /// <summary>Reports the curve at steps 1..steps, asking after each report; returns Pruned when told to stop.</summary>
    private static Func<ITrial, CancellationToken, ValueTask<ObjectiveResult>> Training(int steps, ConcurrentDictionary<int, long>? stoppedAt = null) => async (trial, ct) =>
    {
        double x = trial.Get<double>("x");
        for (long step = 1; step <= steps; step++)
        {
            await trial.ReportAsync(step, Curve(x, step), ct);
            if (await trial.ShouldPruneAsync(ct))
            {
                stoppedAt?.TryAdd(trial.Number, step);
                return ObjectiveResult.Pruned();
            }
        }

        return Curve(x, steps);
    };

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    [Fact]
    public async Task ShouldPruneAsync_StudyWithoutPruner_ReturnsFalse()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Seed = 1 });
        ITrial trial = await study.AskAsync();
        await trial.ReportAsync(1, double.NaN);

        Assert.Null(study.Pruner);
        Assert.False(await trial.ShouldPruneAsync());
    }

    [Fact]
    public async Task ShouldPruneAsync_CancelledToken_Throws()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Seed = 1, Pruner = new MedianPruner() });
        ITrial trial = await study.AskAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await trial.ShouldPruneAsync(new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OptimizeAsync_MedianPruner_PrunesExactlyTheTrialsWorseThanTheMedianAndRecordsTheirLastValueAndStep(bool sqlite)
    {
        await using IStudyStorage storage = NewStorage(sqlite);
        var pruner = new MedianPruner(new MedianPrunerOptions { StartupTrials = 3, WarmupSteps = 2 });
        Study study = await Study.CreateAsync(storage, "median", Space, new StudyOptions { Seed = 5, Pruner = pruner });
        var stoppedAt = new ConcurrentDictionary<int, long>();

        OptimizeResult result = await study.OptimizeAsync(Training(10, stoppedAt), new OptimizeOptions { TrialCount = 20 });

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(20, trials.Count);
        Assert.InRange(result.Counts.Pruned, 3, 17);
        Assert.Equal(result.Counts.Pruned, stoppedAt.Count);
        var completeX = new List<double>();
        foreach (TrialRecord t in trials)
        {
            double x = (double)t.Parameters["x"];

            // Curves are ordered by x at every step, so from the warm-up step on, a trial's best value so far is worse than the
            // median of the complete trials' values exactly when its x is above their median x: it is pruned at step 2 or never.
            bool expectPruned = completeX.Count >= 3 && x > Median(completeX);
            Assert.Equal(expectPruned, t.State == TrialState.Pruned);
            if (expectPruned)
            {
                Assert.Equal(2, stoppedAt[t.Number]);
                Assert.Equal([Curve(x, 2)], t.Values);
                Assert.Equal([1L, 2], t.IntermediateValues.Keys);
            }
            else
            {
                Assert.Equal(TrialState.Complete, t.State);
                Assert.Equal(10, t.IntermediateValues.Count);
                completeX.Add(x);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OptimizeAsync_ObjectiveThrowsTrialPrunedException_RecordsTheLastReportedValue(bool sqlite)
    {
        await using IStudyStorage storage = NewStorage(sqlite);
        Study study = await Study.CreateAsync(storage, "throws", Space, new StudyOptions { Seed = 2, Pruner = new SuccessiveHalvingPruner() });

        await study.OptimizeAsync(
            async (trial, ct) =>
            {
                await trial.ReportAsync(1, 0.5, ct);
                await trial.ReportAsync(3, 0.25, ct);
                await trial.ReportAsync(2, 0.75, ct);
                throw new TrialPrunedException();
            },
            new OptimizeOptions { TrialCount = 1 });

        TrialRecord t = (await study.GetTrialsAsync())[0];
        Assert.Equal(TrialState.Pruned, t.State);
        Assert.Equal([0.25], t.Values); // the value of the highest step, not of the latest report
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OptimizeAsync_Concurrency4_DecisionsUseTheReportsOfTrialsRunningOnOtherWorkers(bool sqlite)
    {
        await using IStudyStorage storage = NewStorage(sqlite);

        // η = 2, rung 1 judged (step 2 is the end): among four trials at rung 1, the best two go on. No trial is complete when
        // they are judged, so only the running trials' reports can prune anyone; alone, each would be the first at the rung.
        var pruner = new SuccessiveHalvingPruner(new SuccessiveHalvingPrunerOptions { ReductionFactor = 2, MaxResource = 2 });
        Study study = await Study.CreateAsync(storage, "workers", Space, new StudyOptions { Seed = 9, Pruner = pruner });
        var barrier = new Barrier(4);
        var stoppedAt = new ConcurrentDictionary<int, long>();

        await study.OptimizeAsync(BarrierTraining(barrier, stoppedAt), new OptimizeOptions { TrialCount = 4, Concurrency = 4 });

        AssertBestTwoOfFourWentOn(await study.GetTrialsAsync(), stoppedAt);
    }

    [Fact]
    public async Task OptimizeAsync_TwoStudyInstancesOnOneSqliteFile_DecisionsUseTheOtherInstancesReports()
    {
        // Two workers with their own storage connections and history copies, as two processes would have.
        string path = NewDatabasePath();
        await using var storageA = new SqliteStudyStorage(path);
        await using var storageB = new SqliteStudyStorage(path);
        var pruner = new SuccessiveHalvingPruner(new SuccessiveHalvingPrunerOptions { ReductionFactor = 2, MaxResource = 2 });
        Study a = await Study.CreateAsync(storageA, "shared", Space, new StudyOptions { Seed = 4, Pruner = pruner });
        Study b = await Study.LoadAsync(storageB, "shared");
        var barrier = new Barrier(4);
        var stoppedAt = new ConcurrentDictionary<int, long>();

        await Task.WhenAll(
            a.OptimizeAsync(BarrierTraining(barrier, stoppedAt), new OptimizeOptions { TrialCount = 2, Concurrency = 2 }),
            b.OptimizeAsync(BarrierTraining(barrier, stoppedAt), new OptimizeOptions { TrialCount = 2, Concurrency = 2 }));

        Assert.Equal(pruner.Settings, Assert.IsType<SuccessiveHalvingPruner>(b.Pruner).Settings);
        AssertBestTwoOfFourWentOn(await a.GetTrialsAsync(), stoppedAt);
    }

    /// <summary>Reports step 1, waits until all four trials have reported it, then asks; survivors report step 2 and complete.</summary>
    private static Func<ITrial, CancellationToken, ValueTask<ObjectiveResult>> BarrierTraining(Barrier barrier, ConcurrentDictionary<int, long> stoppedAt) => async (trial, ct) =>
    {
        double x = trial.Get<double>("x");
        await trial.ReportAsync(1, Curve(x, 1), ct);
        await Task.Run(() => Assert.True(barrier.SignalAndWait(TimeSpan.FromSeconds(30), ct), "the four trials did not run at once"), ct);
        if (await trial.ShouldPruneAsync(ct))
        {
            stoppedAt[trial.Number] = 1;
            return ObjectiveResult.Pruned();
        }

        await trial.ReportAsync(2, Curve(x, 2), ct);
        return await trial.ShouldPruneAsync(ct) ? ObjectiveResult.Pruned() : Curve(x, 2);
    };

    private static void AssertBestTwoOfFourWentOn(IReadOnlyList<TrialRecord> trials, ConcurrentDictionary<int, long> stoppedAt)
    {
        Assert.Equal(4, trials.Count);
        TrialRecord[] byX = [.. trials.OrderBy(t => (double)t.Parameters["x"])];
        Assert.All(byX[..2], t => Assert.Equal(TrialState.Complete, t.State));
        Assert.All(byX[2..], t =>
        {
            Assert.Equal(TrialState.Pruned, t.State);
            Assert.Equal([Curve((double)t.Parameters["x"], 1)], t.Values);
            Assert.Equal(1, stoppedAt[t.Number]);
        });
    }

    [Fact]
    public async Task LoadAsync_StudyWithAPruner_RebuildsItFromTheStoredDefinitionAndItsDecisionsUseEarlierRuns()
    {
        string path = NewDatabasePath();
        var options = new SuccessiveHalvingPrunerOptions { ReductionFactor = 3, MaxResource = 9 };
        await using (var first = new SqliteStudyStorage(path))
        {
            Study study = await Study.CreateAsync(first, "resume", Space, new StudyOptions { Seed = 3, Pruner = new SuccessiveHalvingPruner(options) });
            await study.OptimizeAsync(Training(9), new OptimizeOptions { TrialCount = 6 });
        }

        SqliteConnection.ClearAllPools();
        await using var second = new SqliteStudyStorage(path);
        Study resumed = await Study.LoadAsync(second, "resume");

        var rebuilt = Assert.IsType<SuccessiveHalvingPruner>(resumed.Pruner);
        Assert.Equal(new SuccessiveHalvingPruner(options).Settings, rebuilt.Settings);

        // A new trial worse at step 1 than the six earlier ones is pruned at rung 1 (seven trials, the best two go on); one
        // better than all of them goes on.
        ITrial bad = await resumed.AskAsync();
        await bad.ReportAsync(1, 100);
        Assert.True(await bad.ShouldPruneAsync());
        TrialRecord badRecord = await resumed.TellAsync(bad.Number, ObjectiveResult.Pruned());
        Assert.Equal(TrialState.Pruned, badRecord.State);
        Assert.Equal([100.0], badRecord.Values);

        ITrial good = await resumed.AskAsync();
        await good.ReportAsync(1, -100);
        Assert.False(await good.ShouldPruneAsync());
    }

    [Fact]
    public async Task CreateOrLoadAsync_ExistingStudy_KeepsTheStoredPrunerWhateverTheOptionsSay()
    {
        await using var storage = new InMemoryStudyStorage();
        var stored = new MedianPruner(new MedianPrunerOptions { WarmupSteps = 7 });
        await Study.CreateAsync(storage, "s", Space, new StudyOptions { Seed = 1, Pruner = stored });

        Study withoutPruner = await Study.CreateOrLoadAsync(storage, "s", Space, new StudyOptions());
        Study sameKind = await Study.CreateOrLoadAsync(storage, "s", Space, new StudyOptions { Pruner = stored });
        Study otherKind = await Study.CreateOrLoadAsync(storage, "s", Space, new StudyOptions { Pruner = new SuccessiveHalvingPruner() });

        Assert.Equal(stored.Settings, Assert.IsType<MedianPruner>(withoutPruner.Pruner).Settings);
        Assert.Same(stored, sameKind.Pruner);
        Assert.Equal(stored.Settings, Assert.IsType<MedianPruner>(otherKind.Pruner).Settings);
    }

    [Fact]
    public async Task LoadAsync_StudyWithoutPruner_HasNone()
    {
        await using var storage = new InMemoryStudyStorage();
        await Study.CreateAsync(storage, "s", Space, new StudyOptions { Seed = 1 });

        Study loaded = await Study.LoadAsync(storage, "s", pruner: new MedianPruner());

        Assert.Null(loaded.Pruner);
        Assert.Null((await storage.GetStudyAsync("s", CancellationToken.None))!.Definition.PrunerName);
    }

    [Fact]
    public async Task LoadAsync_UnregisteredCustomPruner_ThrowsUnlessAnInstanceIsGiven()
    {
        await using var storage = new InMemoryStudyStorage();
        var custom = new StepLimitPruner();
        await Study.CreateAsync(storage, "s", Space, new StudyOptions { Seed = 1, Pruner = custom });

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => Study.LoadAsync(storage, "s"));
        Study loaded = await Study.LoadAsync(storage, "s", pruner: custom);

        Assert.Contains("No pruner is registered under the name 'test-step-limit'", e.Message, StringComparison.Ordinal);
        Assert.Same(custom, loaded.Pruner);
        ITrial trial = await loaded.AskAsync();
        await trial.ReportAsync(2, 0);
        Assert.False(await trial.ShouldPruneAsync());
        await trial.ReportAsync(3, 0);
        Assert.True(await trial.ShouldPruneAsync());
    }

    [Fact]
    public async Task ShouldPruneAsync_ContextHoldsTheTrialsOwnReportsTheOtherTrialsTheDirectionSeedAndBudget()
    {
        await using var storage = new InMemoryStudyStorage();
        var spy = new SpyPruner();
        Study study = await Study.CreateAsync(storage, "s", Space, new StudyOptions { Seed = 17, Budget = 10, Direction = StudyDirection.Maximize, Pruner = spy });
        ITrial first = await study.AskAsync();
        await first.ReportAsync(1, 0.5);
        ITrial second = await study.AskAsync();
        await second.ReportAsync(1, 0.25);
        await second.ReportAsync(2, 0.125);

        await second.ShouldPruneAsync();

        PruningContext context = Assert.Single(spy.Contexts);
        Assert.Equal(second.Number, context.TrialNumber);
        Assert.Equal(2, context.CurrentStep);
        Assert.Equal([0.25, 0.125], context.IntermediateValues.Values);
        Assert.Equal([0.5], context.Trials.Single(t => t.Number == first.Number).IntermediateValues.Values);
        Assert.Equal(StudyDirection.Maximize, context.Direction);
        Assert.Equal(17, context.Seed);
        Assert.Equal(10, context.Budget);
    }

    [Fact]
    public async Task OptimizeAsync_AshaOnNoisyLearningCurves_HalvesTheEpochsAndKeepsAnAsGoodBestTrial()
    {
        // 60 trials of 27 epochs. A trial's final loss depends on x; it converges at its own speed (slow learners start
        // worse), and every epoch adds Gaussian noise (σ = 0.02). Same seed, same tuner, so every run draws the same 60 points
        // and the same noise.
        SearchSpace space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).AddFloat("speed", 0.5, 3).Build();
        const int Epochs = 27;
        const double Sigma = 0.02;

        static double TrueLoss(double x, double speed, long epoch) => Math.Pow(x - 0.3, 2) + (0.5 * Math.Exp(-epoch * speed / 6));

        static double Loss(int number, double x, double speed, long epoch)
        {
            var noise = new Random(TunerContext.DeriveSeed(2024, (number * 1000L) + epoch));
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - noise.NextDouble())) * Math.Cos(2 * Math.PI * noise.NextDouble());
            return TrueLoss(x, speed, epoch) + (Sigma * gaussian);
        }

        async Task<(int Epochs, TrialRecord Best, int Pruned)> RunAsync(IPruner? pruner)
        {
            await using var storage = new InMemoryStudyStorage();
            Study study = await Study.CreateAsync(storage, "curves", space, new StudyOptions { Seed = 42, Pruner = pruner });
            OptimizeResult result = await study.OptimizeAsync(
                async (trial, ct) =>
                {
                    double x = trial.Get<double>("x"), speed = trial.Get<double>("speed");
                    double loss = double.NaN;
                    for (long epoch = 1; epoch <= Epochs; epoch++)
                    {
                        loss = Loss(trial.Number, x, speed, epoch);
                        await trial.ReportAsync(epoch, loss, ct);
                        if (await trial.ShouldPruneAsync(ct))
                        {
                            return ObjectiveResult.Pruned();
                        }
                    }

                    return loss;
                },
                new OptimizeOptions { TrialCount = 60 });
            IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
            return (trials.Sum(t => t.IntermediateValues.Count), result.BestTrial!, result.Counts.Pruned);
        }

        static double TrueFinal(TrialRecord t) => TrueLoss((double)t.Parameters["x"], (double)t.Parameters["speed"], Epochs);

        string Describe(string name, (int Epochs, TrialRecord Best, int Pruned) run, int full) => FormattableString.Invariant(
            $"{name}: {run.Epochs} epochs ({100.0 * run.Epochs / full:F1} %), {run.Pruned} of 60 pruned, best trial #{run.Best.Number} final loss {run.Best.Value:F4} (noise-free {TrueFinal(run.Best):F4})");

        var none = await RunAsync(null);
        var asha = await RunAsync(new SuccessiveHalvingPruner(new SuccessiveHalvingPrunerOptions { MinResource = 1, ReductionFactor = 3, MaxResource = Epochs }));
        var hyperband = await RunAsync(new Hpo.Pruners.Hyperband.HyperbandPruner(new Hpo.Pruners.Hyperband.HyperbandPrunerOptions { MinResource = 1, MaxResource = Epochs }));

        output.WriteLine(Describe("no pruning", none, none.Epochs));
        output.WriteLine(Describe("ASHA (r = 1, η = 3, R = 27)", asha, none.Epochs));
        output.WriteLine(Describe("Hyperband (r = 1, η = 3, R = 27)", hyperband, none.Epochs));
        Assert.Equal(60 * Epochs, none.Epochs);
        Assert.True(asha.Epochs * 2 <= none.Epochs, $"ASHA trained {asha.Epochs} epochs of {none.Epochs}.");
        Assert.True(hyperband.Epochs * 2 <= none.Epochs, $"Hyperband trained {hyperband.Epochs} epochs of {none.Epochs}.");

        // The best observed final loss is the minimum of noisy values, so the run that completes more trials draws more
        // chances: ASHA's must be within two noise deviations, and the trial it picks must be truly (noise-free) as good.
        Assert.InRange(asha.Best.Value!.Value, none.Best.Value!.Value - (2 * Sigma), none.Best.Value!.Value + (2 * Sigma));
        Assert.True(TrueFinal(asha.Best) <= TrueFinal(none.Best), "ASHA's best trial is truly worse than the unpruned study's.");
        Assert.InRange(hyperband.Best.Value!.Value, none.Best.Value!.Value - (2 * Sigma), none.Best.Value!.Value + (2 * Sigma));
    }

    /// <summary>A custom pruner, not registered: prunes from step 3 on.</summary>
    private sealed class StepLimitPruner : PrunerBase
    {
        public override string Name => "test-step-limit";

        public override bool ShouldPrune(PruningContext context) => context.CurrentStep >= 3;
    }

    private sealed class SpyPruner : PrunerBase
    {
        public ConcurrentQueue<PruningContext> Contexts { get; } = new();

        public override string Name => "test-spy";

        public override bool ShouldPrune(PruningContext context)
        {
            Contexts.Enqueue(context);
            return false;
        }
    }
}
