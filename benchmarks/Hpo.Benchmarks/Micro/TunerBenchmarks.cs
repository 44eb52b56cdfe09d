using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Hpo.Benchmarks.Suite;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;

namespace Hpo.Benchmarks.Micro;

/// <summary>One proposal of a tuner given 1,000 complete trials of history.</summary>
public class TunerBenchmarks
{
    private static readonly StudyDirection[] Minimize = [StudyDirection.Minimize];
    private ITuner tuner = null!;
    private TrialRecord[] continuousHistory = null!;
    private TrialRecord[] finiteHistory = null!;
    private SearchSpace finiteSpace = null!;
    private int round;

    /// <summary>Gets or sets the tuner, by registered name.</summary>
    [Params("random")]
    public string Tuner { get; set; } = "random";

    /// <summary>Gets or sets the size of the history.</summary>
    [Params(1000)]
    public int History { get; set; }

    /// <summary>Builds the histories: tuning_like's mixed space, and a finite space of 4 x 8 x 8 x 8 points.</summary>
    [GlobalSetup]
    public void Setup()
    {
        tuner = TunerRegistry.Default.Create(Tuner);
        var tuningLike = new TuningLike();
        var random = new Random(42);
        continuousHistory = [.. Enumerable.Range(0, History).Select(i =>
        {
            var p = new Dictionary<string, object>
            {
                ["lr"] = Math.Exp(Math.Log(1e-5) + (random.NextDouble() * -Math.Log(1e-5))),
                ["layers"] = (long)random.Next(1, 9),
                ["activation"] = new[] { "relu", "tanh", "gelu", "sigmoid" }[random.Next(4)],
                ["dropout"] = random.NextDouble() * 0.8,
            };
            return Complete(i, p, tuningLike.Evaluate(p));
        })];
        finiteSpace = new SearchSpaceBuilder()
            .AddCategorical("optimizer", "sgd", "adam", "rmsprop", "adagrad")
            .AddInt("layers", 1, 8)
            .AddInt("width", 16, 128, step: 16)
            .AddFloat("dropout", 0.0, 0.7, step: 0.1)
            .Build();
        finiteHistory = [.. Enumerable.Range(0, History).Select(i =>
        {
            var p = new Dictionary<string, object>
            {
                ["optimizer"] = new[] { "sgd", "adam", "rmsprop", "adagrad" }[random.Next(4)],
                ["layers"] = (long)random.Next(1, 9),
                ["width"] = (long)(16 * random.Next(1, 9)),
                ["dropout"] = Math.Round(random.Next(8) * 0.1, 1),
            };
            return Complete(i, finiteSpace.Validate(p), random.NextDouble());
        })];
    }

    /// <summary>A proposal in tuning_like's mixed space (continuous, so random search is O(1)).</summary>
    /// <returns>The proposal.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> ProposeMixedSpace() =>
        tuner.Propose(new TunerContext(new TuningLike().SearchSpace, continuousHistory, Minimize, History, ++round));

    /// <summary>A proposal in a finite space with 2,048 points, 1,000 of them (mostly distinct) tried: avoiding repeats is O(history).</summary>
    /// <returns>The proposal.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> ProposeFiniteSpace() =>
        tuner.Propose(new TunerContext(finiteSpace, finiteHistory, Minimize, History, ++round));

    private static TrialRecord Complete(int number, IReadOnlyDictionary<string, object> parameters, double value) => new()
    {
        Id = number + 1,
        Number = number,
        State = TrialState.Complete,
        Parameters = parameters,
        Values = [value],
        UserAttributes = ImmutableDictionary<string, string>.Empty,
    };
}
