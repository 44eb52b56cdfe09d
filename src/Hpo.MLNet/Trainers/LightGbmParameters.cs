using System.Globalization;
using Hpo.Trials;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;

namespace Hpo.MLNet.Trainers;

/// <summary>
/// The LightGbm hyperparameters of one trial, read from the parameters named by <see cref="LightGbmSearchSpace"/>, and their
/// mapping to ML.NET's LightGbm trainer options.
/// </summary>
/// <remarks>
/// <para>
/// A <see langword="null"/> property (its parameter is not in the search space) leaves ML.NET's default in place. The trainer
/// options this type builds run LightGbm on one thread, deterministically and silently by default, so that a trial gives the
/// same result every time it runs with the same seed and several trials can run side by side without oversubscribing cores.
/// </para>
/// <para>Added in 0.1.</para>
/// </remarks>
public sealed record LightGbmParameters
{
    private const string DefaultLabelColumnName = "Label";
    private const string DefaultFeatureColumnName = "Features";

    /// <summary>Gets the learning rate (shrinkage); it must be positive.</summary>
    /// <value>The default value is <see langword="null"/>: ML.NET picks one from the data set's size.</value>
    public double? LearningRate { get; init; }

    /// <summary>Gets the maximum number of leaves per tree; at least 2.</summary>
    /// <value>The default value is <see langword="null"/>: ML.NET picks one from the data set's size.</value>
    public int? NumberOfLeaves { get; init; }

    /// <summary>Gets the minimum number of examples in a leaf; at least 1.</summary>
    /// <value>The default value is <see langword="null"/>: ML.NET picks one from the data set's size.</value>
    public int? MinimumExampleCountPerLeaf { get; init; }

    /// <summary>Gets the number of boosting rounds; at least 1.</summary>
    /// <value>The default value is <see langword="null"/>: ML.NET's default of 100.</value>
    public int? NumberOfIterations { get; init; }

    /// <summary>Gets the L2 regularization of the leaf weights; zero or more.</summary>
    /// <value>The default value is <see langword="null"/>: ML.NET's default of 0.01.</value>
    public double? L2Regularization { get; init; }

    /// <summary>Reads the LightGbm parameters of a trial.</summary>
    /// <param name="trial">The trial.</param>
    /// <returns>The parameters; those absent from the trial are <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="trial"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A value has the wrong type or lies outside what LightGbm accepts.</exception>
    public static LightGbmParameters FromTrial(ITrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return FromParameters(trial.Parameters);
    }

    /// <summary>
    /// Reads LightGbm parameters from a name→value map, such as <see cref="ITrial.Parameters"/> or the
    /// <see cref="TrialRecord.Parameters"/> of a study's best trial. Names that LightGbm does not use are ignored.
    /// </summary>
    /// <param name="parameters">The values by name: floats as <see cref="double"/>, integers as <see cref="long"/> or <see cref="int"/>.</param>
    /// <returns>The parameters; those absent from the map are <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A value has the wrong type or lies outside what LightGbm accepts.</exception>
    public static LightGbmParameters FromParameters(IReadOnlyDictionary<string, object> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var result = new LightGbmParameters
        {
            LearningRate = ReadDouble(parameters, LightGbmSearchSpace.LearningRate),
            NumberOfLeaves = ReadInt(parameters, LightGbmSearchSpace.NumberOfLeaves),
            MinimumExampleCountPerLeaf = ReadInt(parameters, LightGbmSearchSpace.MinimumExampleCountPerLeaf),
            NumberOfIterations = ReadInt(parameters, LightGbmSearchSpace.NumberOfIterations),
            L2Regularization = ReadDouble(parameters, LightGbmSearchSpace.L2Regularization),
        };
        List<string> problems = result.FindProblems();
        return problems.Count == 0
            ? result
            : throw new ArgumentException(InvalidMessage(problems), nameof(parameters));
    }

    /// <summary>Builds the options of ML.NET's LightGbm multiclass trainer (softmax over the classes).</summary>
    /// <param name="labelColumnName">The label column, which must be a key type (map raw labels with <c>MapValueToKey</c>).</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="seed">LightGbm's seed; <see langword="null"/> to draw it from the <c>MLContext</c>'s seed.</param>
    /// <param name="numberOfThreads">How many threads LightGbm uses.</param>
    /// <returns>The options, for <c>MulticlassClassification.Trainers.LightGbm(options)</c>.</returns>
    /// <exception cref="ArgumentException">A column name is empty, or <paramref name="numberOfThreads"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">A property lies outside what LightGbm accepts.</exception>
    public LightGbmMulticlassTrainer.Options ToMulticlassOptions(string labelColumnName = DefaultLabelColumnName, string featureColumnName = DefaultFeatureColumnName, int? seed = null, int numberOfThreads = 1)
    {
        ThrowIfInvalid(labelColumnName, featureColumnName, numberOfThreads);
        return Fill<LightGbmMulticlassTrainer.Options, VBuffer<float>, MulticlassPredictionTransformer<OneVersusAllModelParameters>, OneVersusAllModelParameters>(new LightGbmMulticlassTrainer.Options { UseSoftmax = true }, labelColumnName, featureColumnName, seed, numberOfThreads);
    }

    /// <summary>Builds the options of ML.NET's LightGbm binary classification trainer.</summary>
    /// <param name="labelColumnName">The label column, which must be <see cref="bool"/>.</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="seed">LightGbm's seed; <see langword="null"/> to draw it from the <c>MLContext</c>'s seed.</param>
    /// <param name="numberOfThreads">How many threads LightGbm uses.</param>
    /// <returns>The options, for <c>BinaryClassification.Trainers.LightGbm(options)</c>.</returns>
    /// <exception cref="ArgumentException">A column name is empty, or <paramref name="numberOfThreads"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">A property lies outside what LightGbm accepts.</exception>
    public LightGbmBinaryTrainer.Options ToBinaryOptions(string labelColumnName = DefaultLabelColumnName, string featureColumnName = DefaultFeatureColumnName, int? seed = null, int numberOfThreads = 1)
    {
        ThrowIfInvalid(labelColumnName, featureColumnName, numberOfThreads);
        return Fill<LightGbmBinaryTrainer.Options, float, BinaryPredictionTransformer<CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator>>, CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator>>(new LightGbmBinaryTrainer.Options(), labelColumnName, featureColumnName, seed, numberOfThreads);
    }

    /// <summary>Builds the options of ML.NET's LightGbm regression trainer.</summary>
    /// <param name="labelColumnName">The label column, which must be <see cref="float"/>.</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="seed">LightGbm's seed; <see langword="null"/> to draw it from the <c>MLContext</c>'s seed.</param>
    /// <param name="numberOfThreads">How many threads LightGbm uses.</param>
    /// <returns>The options, for <c>Regression.Trainers.LightGbm(options)</c>.</returns>
    /// <exception cref="ArgumentException">A column name is empty, or <paramref name="numberOfThreads"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">A property lies outside what LightGbm accepts.</exception>
    public LightGbmRegressionTrainer.Options ToRegressionOptions(string labelColumnName = DefaultLabelColumnName, string featureColumnName = DefaultFeatureColumnName, int? seed = null, int numberOfThreads = 1)
    {
        ThrowIfInvalid(labelColumnName, featureColumnName, numberOfThreads);
        return Fill<LightGbmRegressionTrainer.Options, float, RegressionPredictionTransformer<LightGbmRegressionModelParameters>, LightGbmRegressionModelParameters>(new LightGbmRegressionTrainer.Options(), labelColumnName, featureColumnName, seed, numberOfThreads);
    }

    /// <summary>Sets what the three LightGbm trainers' options share: columns, the tuned parameters and reproducible settings.</summary>
    private TOptions Fill<TOptions, TOutput, TTransformer, TModel>(TOptions options, string labelColumnName, string featureColumnName, int? seed, int numberOfThreads)
        where TOptions : LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase, new()
        where TTransformer : ISingleFeaturePredictionTransformer<TModel>
        where TModel : class
    {
        options.LabelColumnName = labelColumnName;
        options.FeatureColumnName = featureColumnName;
        options.LearningRate = LearningRate;
        options.NumberOfLeaves = NumberOfLeaves;
        options.MinimumExampleCountPerLeaf = MinimumExampleCountPerLeaf;
        options.Seed = seed;
        options.NumberOfThreads = numberOfThreads;
        options.Deterministic = true;
        options.Silent = true;
        options.Verbose = false;
        if (NumberOfIterations is int iterations)
        {
            options.NumberOfIterations = iterations;
        }

        if (L2Regularization is double l2)
        {
            options.Booster = new GradientBooster.Options { L2Regularization = l2 };
        }

        return options;
    }

    private static double? ReadDouble(IReadOnlyDictionary<string, object> parameters, string name) =>
        !parameters.TryGetValue(name, out object? value) ? null : value switch
        {
            double d => d,
            float f => f,
            long l => l,
            int i => i,
            _ => throw new ArgumentException($"Parameter '{name}' must be a number, but got {Describe(value)}.", nameof(parameters)),
        };

    private static int? ReadInt(IReadOnlyDictionary<string, object> parameters, string name) =>
        !parameters.TryGetValue(name, out object? value) ? null : value switch
        {
            int i => i,
            long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
            double d when d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
            _ => throw new ArgumentException($"Parameter '{name}' must be a whole number that fits an Int32, but got {Describe(value)}.", nameof(parameters)),
        };

    private static string Describe(object? value) =>
        value is null ? "null" : string.Create(CultureInfo.InvariantCulture, $"{value} ({value.GetType().Name})");

    private static string InvalidMessage(List<string> problems) =>
        $"The '{nameof(LightGbmParameters)}' are invalid.{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "- " + p))}";

    private void ThrowIfInvalid(string labelColumnName, string featureColumnName, int numberOfThreads)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(featureColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numberOfThreads);
        List<string> problems = FindProblems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(InvalidMessage(problems));
        }
    }

    private List<string> FindProblems()
    {
        var problems = new List<string>();
        if (LearningRate is double lr && !(lr > 0 && double.IsFinite(lr)))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"LearningRate must be positive and finite, but got {lr}."));
        }

        if (NumberOfLeaves is int leaves && leaves < 2)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"NumberOfLeaves must be at least 2, but got {leaves}."));
        }

        if (MinimumExampleCountPerLeaf is int minimum && minimum < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"MinimumExampleCountPerLeaf must be at least 1, but got {minimum}."));
        }

        if (NumberOfIterations is int iterations && iterations < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"NumberOfIterations must be at least 1, but got {iterations}."));
        }

        if (L2Regularization is double l2 && !(l2 >= 0 && double.IsFinite(l2)))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"L2Regularization must be zero or more and finite, but got {l2}."));
        }

        return problems;
    }
}
