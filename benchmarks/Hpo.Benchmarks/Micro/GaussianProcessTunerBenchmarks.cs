using BenchmarkDotNet.Attributes;
using Hpo.Benchmarks.Suite;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;

namespace Hpo.Benchmarks.Micro;

/// <summary>
/// One proposal of the Gaussian-process tuner in hartmann6's 6-D box after 100 or 500 trials of history (random points with
/// their true values, the last two still running): by the tuner that made the previous proposal (its hyperparameter fit is
/// cached, the usual case in a running study) and by a new instance (a resume or a worker that just joined, which refits).
/// Goals of issue 3: at most 50 ms at 100 trials and 1 s at 500.
/// </summary>
public class GaussianProcessTunerBenchmarks
{
    private const int Running = 2;
    private static readonly StudyDirection[] Minimize = [StudyDirection.Minimize];
    private ITuner tuner = null!;
    private TrialRecord[] history = null!;
    private SearchSpace space = null!;

    /// <summary>Gets or sets the size of the history.</summary>
    [Params(100, 500)]
    public int History { get; set; } = 100;

    /// <summary>Builds the history and warms the tuner's cache with one proposal.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var hartmann = new Hartmann6();
        space = hartmann.SearchSpace;
        ITuner random = TunerRegistry.Default.Create("random");
        var trials = new List<TrialRecord>(History);
        for (int n = 0; n < History; n++)
        {
            IReadOnlyDictionary<string, object> p = random.Propose(new TunerContext(space, trials, Minimize, n, 11));
            bool running = n >= History - Running;
            trials.Add(new TrialRecord
            {
                Id = n + 1,
                Number = n,
                State = running ? TrialState.Running : TrialState.Complete,
                Parameters = p,
                Values = running ? [] : [hartmann.Evaluate(p)],
            });
        }

        history = [.. trials];
        tuner = TunerRegistry.Default.Create("gp");
        _ = Propose(tuner);
    }

    /// <summary>A proposal by the tuner that proposed before (cached hyperparameter fit).</summary>
    /// <returns>The proposal.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> ProposeWarm() => Propose(tuner);

    /// <summary>A proposal by a new tuner instance (fits the hyperparameters first).</summary>
    /// <returns>The proposal.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> ProposeCold() => Propose(TunerRegistry.Default.Create("gp"));

    private IReadOnlyDictionary<string, object> Propose(ITuner t) =>
        t.Propose(new TunerContext(space, history, Minimize, History, 11));
}
