using System.Diagnostics;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;

namespace Hpo.Benchmarks.Suite;

/// <summary>How a suite run tells the study when it ends.</summary>
public enum BudgetMode
{
    /// <summary>The study has the function's budget (<c>StudyOptions.Budget</c>): the tuner knows the horizon from the start.</summary>
    Study = 0,

    /// <summary>The study is open-ended; the run is bounded by <c>OptimizeOptions.TrialCount</c>, which the tuner sees as its horizon.</summary>
    Run = 1,

    /// <summary>
    /// The study is open-ended and the run has no trial count or timeout: the runner stops it (through
    /// <c>OptimizeOptions.StopToken</c>) once the budget's count of trials has finished, so the tuner never knows the horizon.
    /// </summary>
    None = 2,
}

/// <summary>
/// Runs the sample-efficiency suite: for each function and seed, one fresh in-memory study with that seed and the function's
/// budget, minimised sequentially by a tuner chosen by name through <see cref="TunerRegistry"/>. The tuner only sees the
/// search space and the history, never which function it is given.
/// </summary>
public static class SuiteRunner
{
    /// <summary>Runs every (function, seed) pair in order: functions outer, seeds inner.</summary>
    /// <param name="tuner">The registered tuner name (for example <c>random</c>).</param>
    /// <param name="seeds">Seeds 0..seeds-1 are run.</param>
    /// <param name="functions">The functions to run.</param>
    /// <param name="onResult">Called after each run, in order (for example to write a JSONL line).</param>
    /// <param name="cancellationToken">A token to cancel the runs.</param>
    /// <returns>The results, in run order.</returns>
    public static Task<IReadOnlyList<SuiteResult>> RunAsync(
        string tuner,
        int seeds,
        IReadOnlyList<TestFunction> functions,
        Action<SuiteResult>? onResult = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(tuner, 0, seeds, functions, BudgetMode.Study, onResult, cancellationToken);

    /// <summary>Runs every (function, seed) pair in order, seeds <paramref name="seedStart"/> to <paramref name="seedStart"/> + <paramref name="seeds"/> - 1.</summary>
    /// <param name="tuner">The registered tuner name (for example <c>random</c>).</param>
    /// <param name="seedStart">The first seed.</param>
    /// <param name="seeds">The number of seeds.</param>
    /// <param name="functions">The functions to run.</param>
    /// <param name="mode">How the study learns (or not) when it ends.</param>
    /// <param name="onResult">Called after each run, in order (for example to write a JSONL line).</param>
    /// <param name="cancellationToken">A token to cancel the runs.</param>
    /// <returns>The results, in run order.</returns>
    public static async Task<IReadOnlyList<SuiteResult>> RunAsync(
        string tuner,
        int seedStart,
        int seeds,
        IReadOnlyList<TestFunction> functions,
        BudgetMode mode,
        Action<SuiteResult>? onResult = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tuner);
        ArgumentOutOfRangeException.ThrowIfNegative(seedStart);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seeds);
        ArgumentNullException.ThrowIfNull(functions);
        _ = TunerRegistry.Default.Create(tuner); // fail before the first run when the name is unknown
        var results = new List<SuiteResult>();
        foreach (TestFunction function in functions)
        {
            for (int seed = seedStart; seed < seedStart + seeds; seed++)
            {
                SuiteResult result = await RunOneAsync(tuner, function, seed, mode, cancellationToken).ConfigureAwait(false);
                results.Add(result);
                onResult?.Invoke(result);
            }
        }

        return results;
    }

    /// <summary>
    /// Runs one function with one seed in a fresh in-memory study. A noisy function (<see cref="TestFunction.NoiseSd"/> above 0)
    /// is observed with noise, and the run is scored by the true value of the trial the study recommends
    /// (<see cref="StudyRecommendationExtensions.GetRecommendedTrialAsync"/>); <c>best_so_far</c> then holds the observed values.
    /// </summary>
    /// <param name="tuner">The registered tuner name.</param>
    /// <param name="function">The function.</param>
    /// <param name="seed">The study's seed.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">The study did not end with exactly budget complete trials.</exception>
    public static Task<SuiteResult> RunOneAsync(string tuner, TestFunction function, int seed, CancellationToken cancellationToken = default) =>
        RunOneAsync(tuner, function, seed, BudgetMode.Study, cancellationToken);

    /// <summary>Runs one function with one seed in a fresh in-memory study, telling the study its end as <paramref name="mode"/> says.</summary>
    /// <param name="tuner">The registered tuner name.</param>
    /// <param name="function">The function.</param>
    /// <param name="seed">The study's seed.</param>
    /// <param name="mode">How the study learns (or not) when it ends.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">The study did not end with exactly budget complete trials.</exception>
    public static async Task<SuiteResult> RunOneAsync(string tuner, TestFunction function, int seed, BudgetMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        await using var storage = new InMemoryStudyStorage();
        var options = new StudyOptions
        {
            Direction = StudyDirection.Minimize,
            Tuner = GpDiagnostics.Create(tuner, function.Name, seed),
            Seed = seed,
            Budget = mode == BudgetMode.Study ? function.Budget : null,
        };
        Study study = await Study.CreateAsync(storage, $"{function.Name}-seed{seed}", function.SearchSpace, options, cancellationToken).ConfigureAwait(false);

        long ticksInFunction = 0;
        long evaluations = 0;
        double Objective(ITrial trial)
        {
            long t0 = Stopwatch.GetTimestamp();
            double value = function.Evaluate(trial.Parameters);
            if (function.NoiseSd > 0.0)
            {
                value += function.NoiseSd * SuiteNoise.Normal(seed, evaluations);
            }

            evaluations++;
            ticksInFunction += Stopwatch.GetTimestamp() - t0;
            return value;
        }

        long start = Stopwatch.GetTimestamp();
        using var stop = new CancellationTokenSource();
        var optimize = new OptimizeOptions { Concurrency = 1 };
        if (mode == BudgetMode.Run)
        {
            optimize.TrialCount = function.Budget;
        }
        else if (mode == BudgetMode.None)
        {
            optimize.StopToken = stop.Token;
            optimize.OnTrialFinished = args =>
            {
                if (args.Counts.Finished >= function.Budget)
                {
                    stop.Cancel();
                }

                return ValueTask.CompletedTask;
            };
        }

        await study.OptimizeAsync(Objective, optimize, cancellationToken).ConfigureAwait(false);
        TimeSpan wall = Stopwatch.GetElapsedTime(start);
        TimeSpan inFunction = TimeSpan.FromSeconds((double)Volatile.Read(ref ticksInFunction) / Stopwatch.Frequency);

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync(cancellationToken).ConfigureAwait(false);
        double[] bestSoFar = BestSoFar(function, seed, trials);
        double final = bestSoFar[^1];
        if (function.NoiseSd > 0.0)
        {
            TrialRecord recommended = await study.GetRecommendedTrialAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{function.Name} seed {seed}: the study recommends no trial.");
            final = function.Evaluate(recommended.Parameters);
        }

        return new SuiteResult(
            function.Name,
            "hpo." + tuner,
            seed,
            bestSoFar,
            final - function.FStar,
            wall.TotalSeconds,
            (wall - inFunction).TotalMilliseconds / function.Budget,
            function.Budget,
            function.FStar);
    }

    private static double[] BestSoFar(TestFunction function, int seed, IReadOnlyList<TrialRecord> trials)
    {
        if (trials.Count != function.Budget || trials.Any(t => t.State != TrialState.Complete || t.Value is not double v || !double.IsFinite(v)))
        {
            string states = string.Join(", ", trials.GroupBy(t => t.State).Select(g => $"{g.Count()} {g.Key}"));
            string reasons = string.Join("; ", trials.Where(t => t.FailReason is not null).Select(t => t.FailReason).Distinct().Take(3));
            throw new InvalidOperationException($"{function.Name} seed {seed}: expected {function.Budget} complete trials with finite values, but got {trials.Count} ({states}). {reasons}");
        }

        var best = new double[trials.Count];
        double b = double.PositiveInfinity;
        int i = 0;
        foreach (TrialRecord t in trials.OrderBy(t => t.Number))
        {
            b = Math.Min(b, t.Value!.Value);
            best[i++] = b;
        }

        return best;
    }
}
