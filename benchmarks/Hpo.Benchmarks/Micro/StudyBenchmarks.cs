using BenchmarkDotNet.Attributes;
using Hpo.Benchmarks.Overhead;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Benchmarks.Micro;

/// <summary>The per-trial cost of the study machinery on the in-memory storage, with a trivial objective.</summary>
public class StudyBenchmarks
{
    private const int TrialsPerRun = 1000;
    private InMemoryStudyStorage storage = null!;
    private Study askTellStudy = null!;
    private int studyCounter;

    /// <summary>Creates the storage and the ask/tell study.</summary>
    [GlobalSetup]
    public void Setup()
    {
        storage = new InMemoryStudyStorage();
        askTellStudy = OverheadStudy.CreateAsync(storage, "ask-tell", "random", budget: int.MaxValue).GetAwaiter().GetResult();
    }

    /// <summary>Disposes the storage.</summary>
    [GlobalCleanup]
    public void Cleanup() => storage.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>One ask and one tell on a study with a growing history.</summary>
    /// <returns>The finished trial.</returns>
    [Benchmark]
    public async Task<TrialRecord> AskTell()
    {
        ITrial trial = await askTellStudy.AskAsync();
        double x = trial.Get<double>("x");
        return await askTellStudy.TellAsync(trial, x * x);
    }

    /// <summary>One trial of a 1,000-trial <c>OptimizeAsync</c> run on a fresh study (the run's start-up amortised).</summary>
    /// <returns>The number of evaluations.</returns>
    [Benchmark(OperationsPerInvoke = TrialsPerRun)]
    public async Task<long> OptimizeAsyncPerTrial()
    {
        Study study = await OverheadStudy.CreateAsync(storage, "run-" + Interlocked.Increment(ref studyCounter), "random", TrialsPerRun);
        return await OverheadStudy.RunAsync(study);
    }

    /// <summary>A whole <c>OptimizeAsync</c> run of one trial on a fresh study: the fixed cost of a run.</summary>
    /// <returns>The number of evaluations.</returns>
    [Benchmark]
    public async Task<long> OptimizeAsyncOneTrialRun()
    {
        Study study = await OverheadStudy.CreateAsync(storage, "one-" + Interlocked.Increment(ref studyCounter), "random", 1);
        return await OverheadStudy.RunAsync(study);
    }
}
