using BenchmarkDotNet.Attributes;
using Hpo.Objectives;
using Hpo.Pruners;
using Hpo.SearchSpaces;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Registries;
using Microsoft.Data.Sqlite;

namespace Hpo.Benchmarks.Micro;

/// <summary>
/// The cost of one epoch's <c>ReportAsync</c> + <c>ShouldPruneAsync</c> on a SQLite study (a temporary file), with each
/// built-in pruner. The study starts with 300 complete 27-epoch trials; every invocation trains one more trial for 27 epochs
/// (reporting and asking at each, and going on even when told to stop, so that every epoch is measured), so the figure per
/// operation is one report and one question plus 1/27 of the trial's ask and tell.
/// </summary>
public class PruningBenchmarks
{
    private const int Epochs = 27;
    private const int History = 300;

    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", 0.0, 1.0).Build();

    private string path = null!;
    private SqliteStudyStorage storage = null!;
    private Study study = null!;
    private long pruned;

    /// <summary>Gets or sets the pruner's registered name, or <c>none</c>.</summary>
    [Params("none", "median", "asha", "hyperband")]
    public string Pruner { get; set; } = "none";

    /// <summary>Creates the SQLite file and the study's history.</summary>
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    /// <summary>Deletes the file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        storage.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }
    }

    /// <summary>Trains one trial for 27 epochs: a report and a pruning question per epoch.</summary>
    /// <returns>How many questions so far were answered "prune".</returns>
    [Benchmark(OperationsPerInvoke = Epochs)]
    public async Task<long> ReportAndShouldPrunePerEpoch()
    {
        ITrial trial = await study.AskAsync();
        double x = trial.Get<double>("x");
        bool stop = false;
        for (long epoch = 1; epoch <= Epochs; epoch++)
        {
            await trial.ReportAsync(epoch, Curve(x, epoch));
            if (await trial.ShouldPruneAsync())
            {
                pruned++;
                stop = true;
            }
        }

        await study.TellAsync(trial.Number, stop ? ObjectiveResult.Pruned() : Curve(x, Epochs));
        return pruned;
    }

    private static double Curve(double x, long epoch) => x + (1.0 / epoch);

    private async Task SetupAsync()
    {
        path = Path.Combine(Path.GetTempPath(), $"hpo-pruning-bench-{Guid.NewGuid():N}.db");
        storage = new SqliteStudyStorage(path);
        IPruner? pruner = Pruner == "none" ? null : PrunerRegistry.Default.Create(Pruner, Pruner is "asha" or "hyperband" ? $$"""{"MaxResource":{{Epochs}}}""" : "{}");
        study = await Study.CreateAsync(storage, "pruning", Space, new StudyOptions { Seed = 1, Pruner = pruner });

        // The history is written without asking the pruner, so every trial has all its epochs.
        for (int i = 0; i < History; i++)
        {
            ITrial trial = await study.AskAsync();
            double x = trial.Get<double>("x");
            for (long epoch = 1; epoch <= Epochs; epoch++)
            {
                await trial.ReportAsync(epoch, Curve(x, epoch));
            }

            await study.TellAsync(trial, Curve(x, Epochs));
        }
    }
}

/// <summary>
/// The pruners' own decision cost, without storage: a study of 1,000 complete 27-step trials and a trial asking at step 9
/// (a rung for ASHA and Hyperband, so they compare it with every trial that reached the rung).
/// </summary>
public class PrunerDecisionBenchmarks
{
    private PruningContext context = null!;
    private IPruner pruner = null!;

    /// <summary>Gets or sets the pruner's registered name.</summary>
    [Params("median", "percentile", "asha", "hyperband")]
    public string Pruner { get; set; } = "median";

    /// <summary>Builds the history and the pruner.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var trials = new List<TrialRecord>();
        for (int i = 0; i < 1000; i++)
        {
            double x = random.NextDouble();
            trials.Add(new TrialRecord
            {
                Id = i,
                Number = i,
                State = TrialState.Complete,
                Parameters = new Dictionary<string, object> { ["x"] = x },
                Values = [x],
                IntermediateValues = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(Enumerable.Range(1, 27).Select(s => new KeyValuePair<long, double>(s, x + (1.0 / s)))),
            });
        }

        TrialRecord asked = new()
        {
            Id = 1000,
            Number = 1000,
            State = TrialState.Running,
            Parameters = new Dictionary<string, object> { ["x"] = 0.5 },
            IntermediateValues = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(Enumerable.Range(1, 9).Select(s => new KeyValuePair<long, double>(s, 0.5 + (1.0 / s)))),
        };
        trials.Add(asked);
        context = new PruningContext(asked, trials, [StudyDirection.Minimize], seed: 1);
        pruner = PrunerRegistry.Default.Create(Pruner, Pruner is "asha" or "hyperband" ? """{"MaxResource":27}""" : "{}");
    }

    /// <summary>One decision.</summary>
    /// <returns>The decision.</returns>
    [Benchmark]
    public bool ShouldPrune() => pruner.ShouldPrune(context);
}
