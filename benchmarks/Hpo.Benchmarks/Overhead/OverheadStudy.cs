using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;

namespace Hpo.Benchmarks.Overhead;

/// <summary>The trivial study of the framework-overhead benchmark: one float x in [-10, 10], objective x squared.</summary>
public static class OverheadStudy
{
    /// <summary>Gets the search space.</summary>
    public static SearchSpace Space { get; } = new SearchSpaceBuilder().AddFloat("x", -10.0, 10.0).Build();

    /// <summary>Creates a study of the trivial problem.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="name">The study's name.</param>
    /// <param name="tuner">The tuner's registered name.</param>
    /// <param name="budget">The study's budget.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The study.</returns>
    public static Task<Study> CreateAsync(IStudyStorage storage, string name, string tuner, int budget, CancellationToken cancellationToken = default) =>
        Study.CreateAsync(storage, name, Space, new StudyOptions { Tuner = TunerRegistry.Default.Create(tuner), Seed = 0, Budget = budget }, cancellationToken);

    /// <summary>
    /// Warms the process up, uncounted: runs studies of <paramref name="trialsPerRound"/> trials until
    /// <paramref name="minDuration"/> has passed, deleting each, then collects garbage and pauses briefly so that the runtime's tiered JIT can install the optimised
    /// code of the hot methods (it promotes a method only after 30 calls and a 100 ms quiet period, and a run of a few thousand
    /// trials can be over before that).
    /// </summary>
    /// <param name="storage">The storage.</param>
    /// <param name="baseName">The prefix of the warm-up studies' names.</param>
    /// <param name="tuner">The tuner's registered name.</param>
    /// <param name="trialsPerRound">The budget of each warm-up study; 0 skips the warm-up.</param>
    /// <param name="minDuration">How long to keep warming up.</param>
    /// <returns>The number of warm-up trials run.</returns>
    public static async Task<long> WarmUpAsync(IStudyStorage storage, string baseName, string tuner, int trialsPerRound, TimeSpan minDuration)
    {
        if (trialsPerRound <= 0)
        {
            return 0;
        }

        long trials = 0;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int round = 0; round == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(start) < minDuration; round++)
        {
            string name = $"{baseName}-warmup-{round}";
            Study warm = await CreateAsync(storage, name, tuner, trialsPerRound).ConfigureAwait(false);
            trials += await RunAsync(warm).ConfigureAwait(false);

            // The warm-up's trials must not weigh on the measured run (an in-memory storage would keep them all).
            await storage.DeleteStudyAsync(name, CancellationToken.None).ConfigureAwait(false);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
        return trials;
    }

    /// <summary>Gets the processor time this process has used so far (every thread, the GC's included).</summary>
    /// <returns>The processor time.</returns>
    public static TimeSpan ProcessorTime()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>Runs a study to its budget with <see cref="Study.OptimizeAsync(Objectives.IObjective, OptimizeOptions?, CancellationToken)"/>'s default options.</summary>
    /// <param name="study">The study.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>How many times this process evaluated the objective.</returns>
    public static async Task<long> RunAsync(Study study, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        long evaluations = 0;
        await study.OptimizeAsync(
            (ITrial trial) =>
            {
                Interlocked.Increment(ref evaluations);
                double x = trial.Get<double>("x");
                return x * x;
            },
            options: null,
            cancellationToken).ConfigureAwait(false);
        return Interlocked.Read(ref evaluations);
    }
}
