using Hpo.SearchSpaces;

namespace Hpo.MLNet.Trainers;

/// <summary>
/// The parameter names and default ranges of a LightGbm search space, shared by the multiclass, binary and regression
/// trainers. <see cref="LightGbmParameters.FromParameters(IReadOnlyDictionary{string, object})"/> reads these names back.
/// </summary>
/// <remarks>
/// <para>
/// The default ranges suit small and medium tabular data sets (a few hundred to a few hundred thousand rows). To search other
/// ranges, declare parameters with the same names in your own space (any subset: an absent parameter keeps ML.NET's default),
/// or add the defaults next to your own parameters with
/// <see cref="LightGbmSearchSpaceExtensions.AddLightGbm(SearchSpaceBuilder)"/>.
/// </para>
/// <para>Added in 0.1.</para>
/// </remarks>
public static class LightGbmSearchSpace
{
    /// <summary>The name of the learning rate (shrinkage) parameter: a float, searched on a log scale in [0.001, 0.5].</summary>
    public const string LearningRate = "learning_rate";

    /// <summary>The name of the maximum number of leaves per tree: an integer, searched on a log scale in [2, 128].</summary>
    public const string NumberOfLeaves = "number_of_leaves";

    /// <summary>The name of the minimum number of examples in a leaf: an integer, searched on a log scale in [1, 64].</summary>
    public const string MinimumExampleCountPerLeaf = "minimum_example_count_per_leaf";

    /// <summary>The name of the number of boosting rounds: an integer, searched on a log scale in [10, 500].</summary>
    public const string NumberOfIterations = "number_of_iterations";

    /// <summary>The name of the L2 regularization of leaf weights: a float, searched on a log scale in [1e-6, 10].</summary>
    public const string L2Regularization = "l2_regularization";

    /// <summary>Gets the names of every parameter this class declares, in declaration order.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } =
        [LearningRate, NumberOfLeaves, MinimumExampleCountPerLeaf, NumberOfIterations, L2Regularization];

    /// <summary>Creates the default LightGbm search space.</summary>
    /// <returns>A space with the five parameters named by this class's constants, each on a log scale.</returns>
    /// <example>
    /// <code>
    /// SearchSpace space = LightGbmSearchSpace.Create();
    /// LightGbmParameters p = LightGbmParameters.FromTrial(trial);
    /// var trainer = ml.MulticlassClassification.Trainers.LightGbm(p.ToMulticlassOptions());
    /// </code>
    /// </example>
    public static SearchSpace Create() => new SearchSpaceBuilder().AddLightGbm().Build();
}
