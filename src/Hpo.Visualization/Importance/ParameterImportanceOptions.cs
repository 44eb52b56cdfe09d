using Hpo.Trials;
using MathNet.Numerics.Statistics;

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
