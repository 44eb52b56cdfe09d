using Hpo.Trials;
using MathNet.Numerics.Statistics;

namespace Hpo.Visualization.Importance;

/// <summary>
/// Parameter importance by fANOVA on a random forest (Hutter et al., ICML 2014; the method of Optuna's default
/// <c>FanovaImportanceEvaluator</c>): a forest of regression trees is fitted to the complete trials (features are the parameters —
/// log-scaled for logarithmic parameters, choice indexes for categorical ones — and the target is the objective value), each tree's
/// variance over the search space's box is decomposed exactly into main effects, and a parameter's importance is its main-effect
/// variance fraction averaged over the trees, normalised to sum to 1.
/// </summary>
/// <remarks>
/// Conditional parameters are evaluated too (unlike Optuna, which drops them). A trial without the parameter gets a marker
/// coordinate in an extra "absent" cell placed below the parameter's range: for a numeric parameter, below its lower bound; for a
/// categorical one, an extra category before the first choice. A split can therefore separate "absent" from every real value,
/// and the importance reflects both whether the parameter's branch is taken and its value inside the branch. The absent cell's
/// width is chosen so that its share of the extended range equals the fraction of evaluated trials without the parameter, so
/// the uniform average over the box weighs "absent" as often as the study saw it. A parameter absent from every evaluated trial
/// is listed in <see cref="Excluded"/>, as is a parameter (present in every trial) with a single possible value.
/// </remarks>
/// <param name="Entries">The evaluated parameters, most important first.</param>
/// <param name="Excluded">The parameters left out, and why.</param>
/// <param name="TrialsUsed">The number of complete trials the forest was fitted on.</param>
public sealed record ParameterImportance(IReadOnlyList<ImportanceEntry> Entries, IReadOnlyList<ExcludedParameter> Excluded, int TrialsUsed)
{
    /// <summary>The name of the method, for display.</summary>
    public const string Method = "fANOVA on a random forest";

    /// <summary>Computes the importance of a study's parameters.</summary>
    /// <param name="data">The study.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <returns>The importances; no entries when fewer than two trials are complete.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static ParameterImportance Compute(StudyData data, ParameterImportanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ParameterImportanceOptions();
        options.Validate();
        var random = new Random(options.Seed);
        IReadOnlyList<TrialRecord> trials = data.CompleteTrials;
        if (trials.Count > options.MaxTrials)
        {
            int[] picked = Enumerable.Range(0, trials.Count).ToArray();
            random.Shuffle(picked);
            trials = [.. picked.Take(options.MaxTrials).Order().Select(i => data.CompleteTrials[i])];
        }

        var excluded = new List<ExcludedParameter>();
        var features = new List<ImportanceFeature>();
        foreach (ParameterAxis axis in data.SearchSpace.Parameters.Select(ParameterAxis.For))
        {
            int absent = trials.Count(t => axis.ValueOf(t) is null);
            (double lo, double hi) = axis.LinearRange();
            if (trials.Count > 0 && absent == trials.Count)
            {
                excluded.Add(new ExcludedParameter(axis.Name, $"absent from all {trials.Count} complete trials evaluated (conditional), so nothing shows its effect."));
            }
            else if (absent == 0 && (!(hi > lo) || (axis.IsCategorical && axis.Categories.Count < 2)))
            {
                excluded.Add(new ExcludedParameter(axis.Name, "it can take only one value."));
            }
            else
            {
                features.Add(ImportanceFeature.For(axis, absent, trials.Count));
            }
        }

        if (trials.Count < 2 || features.Count == 0)
        {
            return new ParameterImportance([], excluded, trials.Count);
        }

        double[][] x = [.. trials.Select(t => features.Select(f => f.Coordinate(t)).ToArray())];
        double[] y = [.. trials.Select(t => t.Value!.Value)];
        double[] low = [.. features.Select(f => f.Low)];
        double[] high = [.. features.Select(f => f.High)];
        double[] presentLow = [.. features.Select(f => f.PresentLow)];
        RegressionForest forest = RegressionForest.Fit(x, y, options.Trees, options.MaxDepth, options.MinSamplesLeaf, random);
        var perTree = new List<double[]>();
        foreach (RegressionTree tree in forest.Trees)
        {
            if (Fanova.MainEffectFractions(tree, low, high, presentLow) is { } fractions)
            {
                perTree.Add(fractions);
            }
        }

        var entries = new List<ImportanceEntry>(features.Count);
        double[] mean = new double[features.Count];
        double[] sd = new double[features.Count];
        for (int j = 0; j < features.Count; j++)
        {
            if (perTree.Count > 0)
            {
                // MathNet.Numerics.Statistics: the mean and the population standard deviation of the per-tree fractions
                // (the trees are the whole population averaged over, not a sample of it).
                double[] column = [.. perTree.Select(f => f[j])];
                mean[j] = column.Mean();
                sd[j] = column.Length > 1 ? column.PopulationStandardDeviation() : 0;
            }
        }

        double sum = mean.Sum();
        for (int j = 0; j < features.Count; j++)
        {
            entries.Add(new ImportanceEntry(features[j].Name, sum > 0 ? mean[j] / sum : 0, mean[j], sd[j]));
        }

        return new ParameterImportance([.. entries.OrderByDescending(e => e.Importance).ThenBy(e => e.Name, StringComparer.Ordinal)], excluded, trials.Count);
    }
}

/// <summary>
/// One forest feature: a parameter's linear coordinate, extended below its range by an "absent" cell when some trials lack the
/// parameter (see the remarks of <see cref="ParameterImportance"/>).
/// </summary>
internal sealed class ImportanceFeature
{
    private ImportanceFeature(ParameterAxis axis, double low, double presentLow, double high)
    {
        Axis = axis;
        Low = low;
        PresentLow = presentLow;
        High = high;
    }

    /// <summary>Gets the parameter's axis.</summary>
    public ParameterAxis Axis { get; }

    /// <summary>Gets the parameter's name.</summary>
    public string Name => Axis.Name;

    /// <summary>Gets the low end of the feature's range: the bottom of the absent cell, or <see cref="PresentLow"/> when no trial lacks the parameter.</summary>
    public double Low { get; }

    /// <summary>Gets the low end of the real values' range (the top of the absent cell).</summary>
    public double PresentLow { get; }

    /// <summary>Gets the high end of the feature's range.</summary>
    public double High { get; }

    /// <summary>Creates the feature of a parameter that <paramref name="absent"/> of <paramref name="trials"/> trials lack (fewer than all).</summary>
    /// <param name="axis">The parameter's axis.</param>
    /// <param name="absent">How many trials lack it.</param>
    /// <param name="trials">How many trials are evaluated.</param>
    /// <returns>The feature.</returns>
    public static ImportanceFeature For(ParameterAxis axis, int absent, int trials)
    {
        (double lo, double hi) = axis.LinearRange();
        if (absent == 0)
        {
            return new ImportanceFeature(axis, lo, lo, hi);
        }

        if (!(hi > lo))
        {
            // A single real value: give "present" a unit cell so that present-versus-absent still has volume.
            lo -= 0.5;
            hi += 0.5;
        }

        // Absent cell width a with a / (a + (hi - lo)) = absent / trials.
        double share = (double)absent / trials;
        double width = (hi - lo) * share / (1 - share);
        return new ImportanceFeature(axis, lo - width, lo, hi);
    }

    /// <summary>Gets a trial's coordinate: the linear value, or the bottom of the absent cell when the trial lacks the parameter.</summary>
    /// <param name="trial">The trial.</param>
    /// <returns>The coordinate.</returns>
    public double Coordinate(TrialRecord trial) => Axis.ValueOf(trial) is { } v ? Axis.ToLinear(v) : Low;
}
