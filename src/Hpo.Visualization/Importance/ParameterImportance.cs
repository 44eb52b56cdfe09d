using Hpo.Trials;

namespace Hpo.Visualization.Importance;

/// <summary>Settings of <see cref="ParameterImportance.Compute"/>.</summary>
public sealed class ParameterImportanceOptions
{
    /// <summary>Gets or sets the number of trees in the random forest.</summary>
    /// <value>The default value is 64.</value>
    public int Trees { get; set; } = 64;

    /// <summary>Gets or sets the deepest a tree grows.</summary>
    /// <value>The default value is 64.</value>
    public int MaxDepth { get; set; } = 64;

    /// <summary>Gets or sets the fewest trials in a leaf.</summary>
    /// <value>The default value is 1.</value>
    public int MinSamplesLeaf { get; set; } = 1;

    /// <summary>
    /// Gets or sets the most complete trials the forest is fitted on; a larger study is represented by a uniform random sample
    /// of this many trials (seeded by <see cref="Seed"/>), which keeps the cost bounded at 100,000 trials.
    /// </summary>
    /// <value>The default value is 1,000.</value>
    public int MaxTrials { get; set; } = 1000;

    /// <summary>Gets or sets the seed of the bootstrap samples and the trial sample.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (Trees < 1)
        {
            problems.Add($"Trees must be at least 1, but got {Trees}.");
        }

        if (MaxDepth < 1)
        {
            problems.Add($"MaxDepth must be at least 1, but got {MaxDepth}.");
        }

        if (MinSamplesLeaf < 1)
        {
            problems.Add($"MinSamplesLeaf must be at least 1, but got {MinSamplesLeaf}.");
        }

        if (MaxTrials < 2)
        {
            problems.Add($"MaxTrials must be at least 2, but got {MaxTrials}.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("The 'ParameterImportanceOptions' are invalid." + Environment.NewLine + string.Join(Environment.NewLine, problems), "options");
        }
    }
}

/// <summary>One parameter's importance.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Importance">Its share of the summed main effects, in [0, 1]; the shares of the evaluated parameters add up to 1
/// (0 each when the objective does not vary).</param>
/// <param name="VarianceFraction">Its main effect: the fraction of the objective's variance it explains alone, averaged over the
/// forest's trees (the shares of interactions are what the fractions leave below 1).</param>
/// <param name="StandardDeviation">The standard deviation of <see cref="VarianceFraction"/> across the trees.</param>
public readonly record struct ImportanceEntry(string Name, double Importance, double VarianceFraction, double StandardDeviation);

/// <summary>A parameter left out of the importance evaluation, and why.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Reason">Why it was left out.</param>
public readonly record struct ExcludedParameter(string Name, string Reason);

/// <summary>
/// Parameter importance by fANOVA on a random forest (Hutter et al., ICML 2014; the method of Optuna's default
/// <c>FanovaImportanceEvaluator</c>): a forest of regression trees is fitted to the complete trials (features are the parameters —
/// log-scaled for logarithmic parameters, choice indexes for categorical ones — and the target is the objective value), each tree's
/// variance over the search space's box is decomposed exactly into main effects, and a parameter's importance is its main-effect
/// variance fraction averaged over the trees, normalised to sum to 1.
/// </summary>
/// <remarks>
/// Like Optuna, the evaluation covers the parameters that every evaluated trial has: a conditional parameter absent from some
/// complete trials is listed in <see cref="Excluded"/> with the reason, as is a parameter with a single possible value.
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
        var axes = new List<ParameterAxis>();
        foreach (ParameterAxis axis in data.SearchSpace.Parameters.Select(ParameterAxis.For))
        {
            int absent = trials.Count(t => axis.ValueOf(t) is null);
            (double lo, double hi) = axis.LinearRange();
            if (absent > 0)
            {
                excluded.Add(new ExcludedParameter(axis.Name, $"absent from {absent} of the {trials.Count} complete trials evaluated (conditional); importance covers the parameters every evaluated trial has."));
            }
            else if (!(hi > lo) || (axis.IsCategorical && axis.Categories.Count < 2))
            {
                excluded.Add(new ExcludedParameter(axis.Name, "it can take only one value."));
            }
            else
            {
                axes.Add(axis);
            }
        }

        if (trials.Count < 2 || axes.Count == 0)
        {
            return new ParameterImportance([], excluded, trials.Count);
        }

        double[][] x = [.. trials.Select(t => axes.Select(a => a.ToLinear(a.ValueOf(t)!.Value)).ToArray())];
        double[] y = [.. trials.Select(t => t.Value!.Value)];
        double[] low = [.. axes.Select(a => a.LinearRange().Low)];
        double[] high = [.. axes.Select(a => a.LinearRange().High)];
        RegressionForest forest = RegressionForest.Fit(x, y, options.Trees, options.MaxDepth, options.MinSamplesLeaf, random);
        var perTree = new List<double[]>();
        foreach (RegressionTree tree in forest.Trees)
        {
            if (Fanova.MainEffectFractions(tree, low, high) is { } fractions)
            {
                perTree.Add(fractions);
            }
        }

        var entries = new List<ImportanceEntry>(axes.Count);
        double[] mean = new double[axes.Count];
        double[] sd = new double[axes.Count];
        for (int j = 0; j < axes.Count; j++)
        {
            if (perTree.Count > 0)
            {
                mean[j] = perTree.Average(f => f[j]);
                sd[j] = Math.Sqrt(perTree.Average(f => (f[j] - mean[j]) * (f[j] - mean[j])));
            }
        }

        double sum = mean.Sum();
        for (int j = 0; j < axes.Count; j++)
        {
            entries.Add(new ImportanceEntry(axes[j].Name, sum > 0 ? mean[j] / sum : 0, mean[j], sd[j]));
        }

        return new ParameterImportance([.. entries.OrderByDescending(e => e.Importance).ThenBy(e => e.Name, StringComparer.Ordinal)], excluded, trials.Count);
    }
}
