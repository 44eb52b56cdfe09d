using System.Globalization;
using System.Text;

namespace Hpo.Benchmarks.Suite;

/// <summary>
/// <c>suite --tuner NAME --seeds N [--seed-start S] [--budget study|run|none] --out FILE [--functions a,b,...]</c>: runs the suite, writes one JSON line per run to FILE
/// (overwriting it) and prints a summary table beside Optuna's figures.
/// </summary>
public static class SuiteCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>suite</c>.</param>
    /// <param name="stdout">Where the progress and summary go.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var cl = new CommandLine("suite", args, "tuner", "seeds", "seed-start", "budget", "out", "functions");
        string tuner = cl.String("tuner");
        int seeds = cl.PositiveInt("seeds");
        int seedStart = cl.NonNegativeInt("seed-start", 0);
        string budgetText = cl.String("budget", "study");
        BudgetMode mode = budgetText switch
        {
            "study" => BudgetMode.Study,
            "run" => BudgetMode.Run,
            "none" => BudgetMode.None,
            _ => throw new UsageException($"suite: --budget must be study, run or none, but got '{budgetText}'."),
        };
        string outPath = cl.String("out");
        IReadOnlyList<TestFunction> functions = ParseFunctions(cl.String("functions", string.Empty));
        try
        {
            _ = Registries.TunerRegistry.Default.Create(tuner);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"suite: {e.Message}", e);
        }

        string? dir = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        stdout.WriteLine($"suite: tuner hpo.{tuner}, seeds {seedStart}..{seedStart + seeds - 1}, functions {string.Join(", ", functions.Select(f => f.Name))}, budget mode {budgetText} -> {outPath}");
        IReadOnlyList<SuiteResult> results;
        await using (var writer = new StreamWriter(outPath, append: false, new UTF8Encoding(false)))
        {
            writer.NewLine = "\n";
            results = await SuiteRunner.RunAsync(tuner, seedStart, seeds, functions, mode, r =>
            {
                writer.WriteLine(r.ToJson());
                writer.Flush();
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Function,-12} seed {r.Seed,3}: regret {r.FinalRegret,12:G6}  wall {r.WallSeconds,8:F3} s  overhead {r.PerTrialOverheadMs,8:F3} ms/trial"));
            }).ConfigureAwait(false);
        }

        stdout.Write(Summary(tuner, results));
        return 0;
    }

    /// <summary>Parses a comma-separated list of function names; empty means the whole suite.</summary>
    /// <param name="list">The list.</param>
    /// <returns>The functions, in the order given.</returns>
    /// <exception cref="UsageException">A name is unknown or repeated.</exception>
    public static IReadOnlyList<TestFunction> ParseFunctions(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (string.IsNullOrWhiteSpace(list))
        {
            return TestFunctions.All;
        }

        var result = new List<TestFunction>();
        foreach (string name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            TestFunction f;
            try
            {
                f = TestFunctions.Get(name);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"suite: {e.Message}", e);
            }

            if (result.Contains(f))
            {
                throw new UsageException($"suite: function '{name}' is listed twice in --functions.");
            }

            result.Add(f);
        }

        return result;
    }

    /// <summary>Formats the summary: median final regret per function (over all seeds and over seeds 0..9), overhead, and the peers' figures.</summary>
    /// <param name="tuner">The tuner's name.</param>
    /// <param name="results">The results.</param>
    /// <returns>The table, in Markdown.</returns>
    public static string Summary(string tuner, IReadOnlyList<SuiteResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sb = new StringBuilder();
        IFormatProvider inv = CultureInfo.InvariantCulture;
        int maxSeeds = results.Count == 0 || !results.Any(r => r.Seed < 10) ? 0 : results.GroupBy(r => r.Function).Max(g => g.Count());
        string peer = OptunaReference.PeerOf(tuner) is { } p ? $" (peer: Optuna {p})" : string.Empty;
        sb.AppendLine();
        sb.AppendLine(inv, $"Median final regret, hpo.{tuner}{peer}; Optuna 3.1.0 medians over seeds 0..9 (the five original functions) and 10..39 (the added ones) from the suite README.");
        sb.AppendLine();
        sb.Append("| function | budget | seeds | hpo." + tuner + " median");
        if (maxSeeds > 10)
        {
            sb.Append(" | hpo." + tuner + " median seeds 0..9");
        }

        sb.Append(" | overhead ms/trial (mean) | ");
        sb.Append(string.Join(" | ", OptunaReference.Samplers.Select(s => "Optuna " + s)));
        sb.AppendLine(" | reference GP |");
        int columns = 6 + (maxSeeds > 10 ? 1 : 0) + OptunaReference.Samplers.Count;
        sb.AppendLine("|" + string.Concat(Enumerable.Repeat(" --- |", columns)));
        foreach (IGrouping<string, SuiteResult> g in results.GroupBy(r => r.Function))
        {
            SuiteResult[] runs = [.. g.OrderBy(r => r.Seed)];
            sb.Append(inv, $"| {g.Key} | {runs[0].Budget} | {runs.Length} | {Num(Median(runs.Select(r => r.FinalRegret)))}");
            if (maxSeeds > 10)
            {
                sb.Append(" | " + Num(Median(runs.Where(r => r.Seed < 10).Select(r => r.FinalRegret))));
            }

            sb.Append(inv, $" | {runs.Average(r => r.PerTrialOverheadMs):F3} | ");
            sb.Append(OptunaReference.MedianRegret.TryGetValue(g.Key, out IReadOnlyList<double>? optuna) ? string.Join(" | ", optuna.Select(Num)) : string.Join(" | ", OptunaReference.Samplers.Select(_ => "-")));
            sb.AppendLine(" | " + (OptunaReference.ReferenceGpRegret.TryGetValue(g.Key, out double gp) ? Num(gp) : "-") + " |");
        }

        return sb.ToString();
    }

    /// <summary>The median of a sequence (the mean of the two middle values for an even count); NaN when empty.</summary>
    /// <param name="values">The values.</param>
    /// <returns>The median.</returns>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    private static string Num(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
