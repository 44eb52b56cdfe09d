using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Hpo.Benchmarks.Suite;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;

namespace Hpo.Benchmarks.Micro;

/// <summary>
/// One proposal of the genetic and annealing tuners given 1,000 trials of history that the tuner itself produced (so the
/// population or chain is what a real study would have), the last four of them still running. Target: at most 1 ms.
/// </summary>
public class EvolutionaryTunerBenchmarks
{
    private const int Running = 4;
    private static readonly StudyDirection[] Minimize = [StudyDirection.Minimize];
    private ITuner tuner = null!;
    private TrialRecord[] mixedHistory = null!;
    private TrialRecord[] boxHistory = null!;
    private TrialRecord[] conditionalHistory = null!;
    private SearchSpace mixedSpace = null!;
    private SearchSpace boxSpace = null!;
    private SearchSpace conditionalSpace = null!;

    /// <summary>Gets or sets the tuner, by registered name.</summary>
    [Params("ga", "sa")]
    public string Tuner { get; set; } = "ga";

    /// <summary>Gets or sets the size of the history.</summary>
    [Params(1000)]
    public int History { get; set; } = 1000;

    /// <summary>Runs the tuner for <see cref="History"/> trials on tuning_like, hartmann6 and a conditional space.</summary>
    [GlobalSetup]
    public void Setup()
    {
        tuner = TunerRegistry.Default.Create(Tuner);
        var tuningLike = new TuningLike();
        mixedSpace = tuningLike.SearchSpace;
        mixedHistory = Generate(mixedSpace, tuningLike.Evaluate);
        var hartmann = new Hartmann6();
        boxSpace = hartmann.SearchSpace;
        boxHistory = Generate(boxSpace, hartmann.Evaluate);
        conditionalSpace = new SearchSpaceBuilder()
            .AddCategorical("model", "linear", "tree", "knn")
            .AddFloat("c", 1e-3, 1e3, log: true, condition: ParameterCondition.When("model", "linear"))
            .AddInt("depth", 1, 12, condition: ParameterCondition.When("model", "tree"))
            .AddFloat("eta", 1e-4, 1.0, log: true, condition: ParameterCondition.When("model", "tree"))
            .AddInt("k", 1, 50, condition: ParameterCondition.When("model", "knn"))
            .AddFloat("dropout", 0.0, 0.8)
            .Build();
        conditionalHistory = Generate(conditionalSpace, p => ((string)p["model"]).Length + (double)p["dropout"] + (p.TryGetValue("c", out object? c) ? Math.Abs(Math.Log10((double)c)) : 0.0));
    }

    /// <summary>A proposal in tuning_like's mixed space (log float, int, categorical, float).</summary>
    /// <returns>The proposal.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> ProposeMixedSpace() =>
        tuner.Propose(new TunerContext(mixedSpace, mixedHistory, Minimize, History, 7, History));

    /// <summary>A proposal in hartmann6's continuous 6-D box.</summary>
    /// <returns>The proposal.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> ProposeBox6() =>
        tuner.Propose(new TunerContext(boxSpace, boxHistory, Minimize, History, 7, History));

    /// <summary>
    /// A proposal in hartmann6's box by a new tuner instance, as after a resume or by a worker that just joined: the annealer
    /// replays the whole history (the others keep no cache).
    /// </summary>
    /// <returns>The proposal.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> ProposeBox6NewTuner() =>
        TunerRegistry.Default.Create(Tuner).Propose(new TunerContext(boxSpace, boxHistory, Minimize, History, 7, History));

    /// <summary>A proposal in a conditional space (a categorical with children that appear and disappear).</summary>
    /// <returns>The proposal.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> ProposeConditionalSpace() =>
        tuner.Propose(new TunerContext(conditionalSpace, conditionalHistory, Minimize, History, 7, History));

    private TrialRecord[] Generate(SearchSpace space, Func<IReadOnlyDictionary<string, object>, double> objective)
    {
        var trials = new List<TrialRecord>(History);
        for (int n = 0; n < History; n++)
        {
            IReadOnlyDictionary<string, object> p = tuner.Propose(new TunerContext(space, trials, Minimize, n, 7, History));
            bool running = n >= History - Running;
            trials.Add(new TrialRecord
            {
                Id = n + 1,
                Number = n,
                State = running ? TrialState.Running : TrialState.Complete,
                Parameters = p,
                Values = running ? [] : [objective(p)],
                UserAttributes = ImmutableDictionary<string, string>.Empty,
            });
        }

        return [.. trials];
    }
}
