using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Hpo.Benchmarks.Suite;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;

namespace Hpo.Tests.Tuners;

/// <summary>Spaces, objectives, a proposal loop and a rank test shared by the tuner tests (and <see cref="TunerConformanceTests"/>).</summary>
internal static class TunerKit
{
    private static readonly double LogOptimum = Math.Log10(3e-3);
    private static readonly StyblinskiTang20 SuiteStyblinskiTang = new();

    /// <summary>Every parameter kind: linear, log and stepped floats; plain, log and stepped ints; categoricals; children and a grandchild.</summary>
    public static SearchSpace EveryKind() => new SearchSpaceBuilder()
        .AddFloat("lr", 1e-5, 1e-1, log: true)
        .AddFloat("dropout", 0, 0.5)
        .AddFloat("ratio", 0, 1, step: 0.1)
        .AddInt("layers", 1, 6)
        .AddInt("batch", 8, 512, log: true)
        .AddInt("units", 16, 256, step: 16)
        .AddCategorical("optimizer", "sgd", "adam", "rmsprop")
        .AddCategorical("nesterov", ParameterCondition.When("optimizer", "sgd"), true, false)
        .AddFloat("beta1", 0.8, 0.999, condition: ParameterCondition.When("optimizer", "adam", "rmsprop"))
        .AddInt("warmup", 0, 3, condition: ParameterCondition.When("nesterov", true))
        .Build();

    /// <summary>An objective on <see cref="EveryKind"/> that reads every active parameter, so that each one matters.</summary>
    public static double EveryKindLoss(IReadOnlyDictionary<string, object> p)
    {
        double u = Math.Log10((double)p["lr"]) - LogOptimum;
        double loss = (u * u) + Sq((double)p["dropout"] - 0.2) + Sq((double)p["ratio"] - 0.7) + (0.1 * Sq((long)p["layers"] - 3))
            + Sq(Math.Log2((long)p["batch"]) - 6) + Sq(((long)p["units"] - 128) / 64.0);
        loss += (string)p["optimizer"] switch
        {
            "sgd" => 0.5 + ((bool)p["nesterov"] ? 0.1 * (long)p["warmup"] : 0.3),
            "adam" => Sq((double)p["beta1"] - 0.9),
            _ => 0.2 + Sq((double)p["beta1"] - 0.95),
        };
        return loss;
    }

    /// <summary>A 4-D Styblinski–Tang function on [-5, 5]^4 (multimodal, minimum about -156.66).</summary>
    public static SearchSpace StyblinskiSpace() => new SearchSpaceBuilder()
        .AddFloat("x0", -5, 5).AddFloat("x1", -5, 5).AddFloat("x2", -5, 5).AddFloat("x3", -5, 5).Build();

    /// <summary>The Styblinski-Tang function of the benchmark suite (<see cref="StyblinskiTang20"/>), on the four dimensions of <see cref="StyblinskiSpace"/>.</summary>
    public static double Styblinski(IReadOnlyDictionary<string, object> p) =>
        SuiteStyblinskiTang.Evaluate([(double)p["x0"], (double)p["x1"], (double)p["x2"], (double)p["x3"]]);

    /// <summary>A model-selection problem: a categorical model whose children (a log float, an int, a float) exist per branch.</summary>
    public static SearchSpace ModelSpace() => new SearchSpaceBuilder()
        .AddCategorical("model", "linear", "tree", "knn")
        .AddFloat("c", 1e-3, 1e3, log: true, condition: ParameterCondition.When("model", "linear"))
        .AddInt("depth", 1, 12, condition: ParameterCondition.When("model", "tree"))
        .AddFloat("eta", 1e-4, 1.0, log: true, condition: ParameterCondition.When("model", "tree"))
        .AddInt("k", 1, 50, condition: ParameterCondition.When("model", "knn"))
        .AddFloat("subsample", 0.3, 1.0)
        .Build();

    public static double ModelLoss(IReadOnlyDictionary<string, object> p)
    {
        double shared = Sq((double)p["subsample"] - 0.8);
        return shared + (string)p["model"] switch
        {
            "linear" => 0.3 + (0.05 * Sq(Math.Log10((double)p["c"]) - 1)),
            "tree" => (0.02 * Sq((long)p["depth"] - 6)) + (0.3 * Sq(Math.Log10((double)p["eta"]) + 1.5)),
            _ => 0.25 + (0.0004 * Sq((long)p["k"] - 15)),
        };
    }

    public static TrialRecord Record(int number, IReadOnlyDictionary<string, object> parameters, TrialState state = TrialState.Complete, double? value = null) => new()
    {
        Id = number + 1,
        Number = number,
        State = state,
        Parameters = parameters,
        Values = state == TrialState.Complete ? [value ?? number] : [],
        UserAttributes = ImmutableDictionary<string, string>.Empty,
    };

    public static TunerContext Context(SearchSpace space, IReadOnlyList<TrialRecord> trials, int number, int seed, int? budget = null, StudyDirection direction = StudyDirection.Minimize) =>
        new(space, trials, [direction], number, seed, budget);

    /// <summary>
    /// Runs a study's proposal loop without a study: each trial is proposed from the history before it (holding the trial being
    /// proposed, still without parameters, as a study's does) and then completed with the objective's value.
    /// </summary>
    public static List<TrialRecord> Run(ITuner tuner, SearchSpace space, Func<IReadOnlyDictionary<string, object>, double> objective, int count, int seed, int? budget = null, List<TrialRecord>? start = null)
    {
        List<TrialRecord> trials = start is null ? [] : [.. start];
        for (int n = trials.Count; n < count; n++)
        {
            TrialRecord[] history = [.. trials, Record(n, new Dictionary<string, object>(), TrialState.Running)];
            IReadOnlyDictionary<string, object> p = tuner.Propose(Context(space, history, n, seed, budget ?? count));
            trials.Add(Record(n, p, TrialState.Complete, objective(p)));
        }

        return trials;
    }

    /// <summary>Asserts that a proposal is a valid point: exactly the active parameters, each inside its distribution.</summary>
    public static void AssertInside(SearchSpace space, IReadOnlyDictionary<string, object> p)
    {
        IReadOnlyDictionary<string, object> canonical = space.Validate(p);
        Assert.Equal(canonical.Count, p.Count);
        foreach (SearchParameter parameter in space.Parameters)
        {
            Assert.Equal(space.IsActive(parameter.Name, p), p.ContainsKey(parameter.Name));
            if (!p.TryGetValue(parameter.Name, out object? value))
            {
                continue;
            }

            switch (parameter.Distribution)
            {
                case FloatDistribution f:
                    double x = Assert.IsType<double>(value);
                    Assert.InRange(x, f.Low, f.High);
                    if (f.Step is double step)
                    {
                        double k = (x - f.Low) / step;
                        Assert.True(Math.Abs(k - Math.Round(k)) < 1e-9, $"{parameter.Name}={x} is off its grid of step {step}.");
                    }

                    break;
                case IntDistribution n:
                    long i = Assert.IsType<long>(value);
                    Assert.InRange(i, n.Low, n.High);
                    Assert.Equal(0, (i - n.Low) % n.Step);
                    break;
                case CategoricalDistribution c:
                    Assert.Contains(value, c.Choices);
                    break;
            }
        }
    }

    /// <summary>A string that identifies a configuration exactly.</summary>
    public static string Key(IReadOnlyDictionary<string, object> p)
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<string, object> kv in p.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(kv.Key).Append('=').Append(kv.Value is double d ? d.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(kv.Value, CultureInfo.InvariantCulture)).Append(';');
        }

        return sb.ToString();
    }

    /// <summary>
    /// Runs a study in a SQLite file for <paramref name="firstPart"/> trials, closes it, reopens it by name (the tuner rebuilt from
    /// its stored settings) and runs it to its budget; and runs the same study uninterrupted in memory. Returns both trial
    /// sequences as configuration keys, in trial order.
    /// </summary>
    public static async Task<(List<string> Resumed, List<string> Uninterrupted)> ResumeAsync(ITuner tuner, SearchSpace space, Func<IReadOnlyDictionary<string, object>, double> objective, int seed, int budget, int firstPart)
    {
        var options = new StudyOptions { Tuner = tuner, Seed = seed, Budget = budget };
        string dir = Path.Combine(Path.GetTempPath(), "hpo-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string url = "sqlite:///" + Path.Combine(dir, "resume.db");
            await using (IStudyStorage storage = StorageRegistry.Default.Open(url))
            {
                Study study = await Study.CreateAsync(storage, "resume", space, options);
                await study.OptimizeAsync(t => objective(t.Parameters), new OptimizeOptions { TrialCount = firstPart });
            }

            List<string> resumed;
            await using (IStudyStorage storage = StorageRegistry.Default.Open(url))
            {
                Study study = await Study.LoadAsync(storage, "resume");
                Assert.Equal(tuner.Name, study.Tuner.Name);
                Assert.NotSame(tuner, study.Tuner);
                await study.OptimizeAsync(t => objective(t.Parameters));
                resumed = [.. (await study.GetTrialsAsync()).OrderBy(t => t.Number).Select(t => Key(t.Parameters))];
            }

            await using var memory = new InMemoryStudyStorage();
            Study straight = await Study.CreateAsync(memory, "straight", space, options);
            await straight.OptimizeAsync(t => objective(t.Parameters));
            List<string> uninterrupted = [.. (await straight.GetTrialsAsync()).OrderBy(t => t.Number).Select(t => Key(t.Parameters))];
            return (resumed, uninterrupted);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs a study with four concurrent workers to its budget and returns its trials.</summary>
    public static async Task<IReadOnlyList<TrialRecord>> RunConcurrentlyAsync(ITuner tuner, SearchSpace space, Func<IReadOnlyDictionary<string, object>, double> objective, int budget)
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "concurrent", space, new StudyOptions { Tuner = tuner, Seed = 5, Budget = budget });
        await study.OptimizeAsync(
            async (trial, ct) =>
            {
                await Task.Delay(1, ct);
                return Hpo.Objectives.ObjectiveResult.FromValue(objective(trial.Parameters));
            },
            new OptimizeOptions { Concurrency = 4 });
        return await study.GetTrialsAsync();
    }

    public static double BestValue(IEnumerable<TrialRecord> trials) => trials.Where(t => t.State == TrialState.Complete).Min(t => t.Value!.Value);

    /// <summary>
    /// The one-sided p-value of the Mann–Whitney U test that <paramref name="a"/> tends to be smaller than <paramref name="b"/>
    /// (normal approximation with tie correction and continuity correction).
    /// </summary>
    public static double MannWhitneyLessP(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int n1 = a.Count;
        int n2 = b.Count;
        var all = a.Select(v => (v, group: 0)).Concat(b.Select(v => (v, group: 1))).OrderBy(x => x.v).ToArray();
        double[] ranks = new double[all.Length];
        double tieTerm = 0;
        for (int i = 0; i < all.Length;)
        {
            int j = i;
            while (j + 1 < all.Length && all[j + 1].v == all[i].v)
            {
                j++;
            }

            double rank = ((i + j) / 2.0) + 1;
            for (int k = i; k <= j; k++)
            {
                ranks[k] = rank;
            }

            int t = j - i + 1;
            tieTerm += (double)t * t * t - t;
            i = j + 1;
        }

        double rankSumA = 0;
        for (int i = 0; i < all.Length; i++)
        {
            if (all[i].group == 0)
            {
                rankSumA += ranks[i];
            }
        }

        double u = rankSumA - (n1 * (n1 + 1) / 2.0); // small when a's values are small
        double mean = n1 * n2 / 2.0;
        int n = n1 + n2;
        double variance = n1 * n2 / 12.0 * ((n + 1) - (tieTerm / (n * (double)(n - 1))));
        double z = (u - mean + 0.5) / Math.Sqrt(variance);
        return MathNet.Numerics.Distributions.Normal.CDF(0, 1, z);
    }

    private static double Sq(double x) => x * x;
}
