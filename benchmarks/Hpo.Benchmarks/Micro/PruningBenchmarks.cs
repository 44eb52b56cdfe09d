using BenchmarkDotNet.Attributes;
using Hpo.Objectives;
using Hpo.Pruners;
using Hpo.SearchSpaces;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Trials;
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
        IPruner? pruner = Pruner == "none" ? null : PrunerRegistry.Create(Pruner, Pruner is "asha" or "hyperband" ? $$"""{"MaxResource":{{Epochs}}}""" : "{}");
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
