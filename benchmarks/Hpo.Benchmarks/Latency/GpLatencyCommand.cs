using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Benchmarks.Latency;

/// <summary>
/// <c>gp-latency --dims D --trials N1,N2,... [--repeats R]</c>: how long the GP tuner takes to propose after histories of each
/// size. Prints one JSON line per size.
/// </summary>
/// <remarks>
/// Each history holds N complete trials at scrambled-uniform points of [0, 1]^D with the values of a smooth test function.
/// <c>suggest_ms</c> is the median over R proposals, each by a fresh tuner (so the hyperparameter fit is included, as in a
/// new process or at a refit); <c>suggest_warm_ms</c> is the median of R proposals by one tuner whose hyperparameter fit is
/// cached (most proposals of a running study, which refits only when its history has grown by 10%).
/// </remarks>
public static class GpLatencyCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>gp-latency</c>.</param>
    /// <param name="stdout">Where the JSON lines go.</param>
    /// <returns>The exit code.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var cl = new CommandLine("gp-latency", args, "dims", "trials", "repeats");
        int dims = cl.PositiveInt("dims", 6);
        int repeats = cl.PositiveInt("repeats", 5);
        IReadOnlyList<int> sizes = ParseSizes(cl.String("trials", "50,100,200,500,1000"));

        Warm(dims);
        foreach (int n in sizes)
        {
            LatencyResult r = Measure(dims, n, repeats);
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                trials = r.Trials,
                dims = r.Dimensions,
                suggest_ms = Math.Round(r.SuggestMs, 3),
                suggest_warm_ms = Math.Round(r.SuggestWarmMs, 3),
                min_ms = Math.Round(r.MinMs, 3),
                max_ms = Math.Round(r.MaxMs, 3),
                repeats = r.Repeats,
            }));
            stdout.Flush();
        }

        return 0;
    }

    /// <summary>Measures the proposal latency after a history of <paramref name="trials"/> trials.</summary>
    /// <param name="dims">The number of continuous parameters.</param>
    /// <param name="trials">The history's size.</param>
    /// <param name="repeats">The number of timed proposals of each kind.</param>
    /// <returns>The medians and extremes.</returns>
    public static LatencyResult Measure(int dims, int trials, int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dims, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        SearchSpace space = Space(dims);
        IReadOnlyList<TrialRecord> history = History(space, dims, trials);

        var cold = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var context = new TunerContext(space, history, [StudyDirection.Minimize], trials, seed: r);
            var tuner = new GaussianProcessTuner();
            long start = Stopwatch.GetTimestamp();
            IReadOnlyDictionary<string, object> proposal = tuner.Propose(context);
            cold.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            GC.KeepAlive(proposal);
        }

        var warm = new List<double>();
        var shared = new GaussianProcessTuner();
        _ = shared.Propose(new TunerContext(space, history, [StudyDirection.Minimize], trials, seed: repeats));
        for (int r = 0; r < repeats; r++)
        {
            var context = new TunerContext(space, history, [StudyDirection.Minimize], trials, seed: repeats + 1 + r);
            long start = Stopwatch.GetTimestamp();
            IReadOnlyDictionary<string, object> proposal = shared.Propose(context);
            warm.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            GC.KeepAlive(proposal);
        }

        return new LatencyResult(trials, dims, Median(cold), Median(warm), cold.Min(), cold.Max(), repeats);
    }

    /// <summary>The smooth test function of the histories: a shifted quadratic bowl with a gentle ripple.</summary>
    /// <param name="x">A point of [0, 1]^D.</param>
    /// <returns>The value.</returns>
    public static double Smooth(ReadOnlySpan<double> x)
    {
        double bowl = 0.0;
        double sum = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            double c = 0.2 + (0.6 * i / Math.Max(1, x.Length - 1));
            bowl += (x[i] - c) * (x[i] - c);
            sum += x[i];
        }

        return bowl + (0.1 * Math.Sin(3.0 * sum));
    }

    private static IReadOnlyList<int> ParseSizes(string list)
    {
        var sizes = new List<int>();
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
            {
                throw new UsageException($"gp-latency: --trials takes positive integers separated by commas, but got '{part}'.");
            }

            sizes.Add(n);
        }

        return sizes.Count > 0 ? sizes : throw new UsageException("gp-latency: --trials needs at least one size.");
    }

    private static SearchSpace Space(int dims)
    {
        var builder = new SearchSpaceBuilder();
        for (int i = 0; i < dims; i++)
        {
            builder.AddFloat("x" + i.ToString(CultureInfo.InvariantCulture), 0.0, 1.0);
        }

        return builder.Build();
    }

    private static IReadOnlyList<TrialRecord> History(SearchSpace space, int dims, int trials)
    {
        var random = new Random(12345);
        var records = new List<TrialRecord>(trials);
        var x = new double[dims];
        for (int t = 0; t < trials; t++)
        {
            var parameters = new Dictionary<string, object>(StringComparer.Ordinal);
            for (int i = 0; i < dims; i++)
            {
                x[i] = random.NextDouble();
                parameters[space.Parameters[i].Name] = x[i];
            }

            records.Add(new TrialRecord
            {
                Id = t,
                Number = t,
                State = TrialState.Complete,
                Parameters = parameters,
                Values = [Smooth(x)],
            });
        }

        return records;
    }

    private static void Warm(int dims)
    {
        // JIT the tuner's code paths before timing.
        for (int i = 0; i < 3; i++)
        {
            _ = Measure(dims, 30, 1);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
    }
}

/// <summary>The latency of the GP tuner after one history size.</summary>
/// <param name="Trials">The history's size.</param>
/// <param name="Dimensions">The number of parameters.</param>
/// <param name="SuggestMs">The median proposal time of fresh tuners (hyperparameter fit included).</param>
/// <param name="SuggestWarmMs">The median proposal time with the hyperparameter fit cached.</param>
/// <param name="MinMs">The fastest fresh proposal.</param>
/// <param name="MaxMs">The slowest fresh proposal.</param>
/// <param name="Repeats">The number of proposals of each kind.</param>
public sealed record LatencyResult(int Trials, int Dimensions, double SuggestMs, double SuggestWarmMs, double MinMs, double MaxMs, int Repeats);
