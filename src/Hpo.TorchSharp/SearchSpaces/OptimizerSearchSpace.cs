using Hpo.SearchSpaces;
using Hpo.TorchSharp.Optimizers;

namespace Hpo.TorchSharp.SearchSpaces;

/// <summary>
/// The ready search space for an optimizer and its learning-rate schedule, built from the settings practitioners tune: the
/// optimizer, learning rate, weight decay, gradient-clipping norm, Adam's betas and epsilon, the learning-rate decay with its
/// own settings, and the batch size. <see cref="OptimizerSettings.FromTrial(Trials.ITrial)"/> reads a trial's values back and
/// builds the TorchSharp optimizer and schedule.
/// </summary>
/// <remarks>
/// <para>
/// Take it whole with <see cref="Create(OptimizerSearchSpaceOptions?)"/>; narrow it with <see cref="OptimizerSearchSpaceOptions"/>
/// (fewer optimizers or decays, smaller ranges, settings left out); extend it by adding it next to your own parameters with
/// <see cref="OptimizerSearchSpaceExtensions.AddOptimizer(SearchSpaceBuilder, OptimizerSearchSpaceOptions?)"/>.
/// </para>
/// <para>
/// Conditional parameters: <see cref="Momentum"/> exists when the optimizer is <c>momentum</c>; <see cref="Beta1"/>,
/// <see cref="Beta2"/> and <see cref="Epsilon"/> when it is <c>adam</c> or <c>adamw</c>; <see cref="DecayPeriod"/> for the
/// exponential, polynomial and cosine decays; <see cref="DecayRate"/> and <see cref="Staircase"/> for the exponential decay;
/// <see cref="EndFactor"/> for the polynomial and cosine decays; <see cref="Power"/> for the polynomial decay;
/// <see cref="PiecewiseBoundaries"/> and <see cref="PiecewiseFactor"/> for the piecewise-constant decay.
/// </para>
/// <para>Added in 0.1.</para>
/// </remarks>
public static class OptimizerSearchSpace
{
    /// <summary>The name of the optimizer: a categorical of <c>sgd</c>, <c>momentum</c>, <c>adam</c>, <c>adamw</c>, <c>adagrad</c>, <c>rmsprop</c>.</summary>
    public const string Optimizer = "optimizer";

    /// <summary>The name of the initial learning rate: a float on a log scale.</summary>
    public const string LearningRate = "learning_rate";

    /// <summary>The name of the weight decay (L2; decoupled for AdamW): a float on a log scale.</summary>
    public const string WeightDecay = "weight_decay";

    /// <summary>The name of the gradient-clipping norm: a float on a log scale.</summary>
    public const string ClipNorm = "clip_norm";

    /// <summary>The name of the momentum of the <c>momentum</c> optimizer: a float.</summary>
    public const string Momentum = "momentum";

    /// <summary>The name of Adam's first-moment decay: a float, when the optimizer is <c>adam</c> or <c>adamw</c>.</summary>
    public const string Beta1 = "beta1";

    /// <summary>The name of Adam's second-moment decay: a float, when the optimizer is <c>adam</c> or <c>adamw</c>.</summary>
    public const string Beta2 = "beta2";

    /// <summary>The name of Adam's epsilon: a float on a log scale, when the optimizer is <c>adam</c> or <c>adamw</c>.</summary>
    public const string Epsilon = "epsilon";

    /// <summary>The name of the learning-rate decay: a categorical of <c>none</c>, <c>exponential</c>, <c>polynomial</c>, <c>piecewise_constant</c>, <c>cosine</c>.</summary>
    public const string Decay = "lr_decay";

    /// <summary>The name of the decay period, as a fraction of the training run's optimizer steps (the decay steps).</summary>
    public const string DecayPeriod = "lr_decay_period";

    /// <summary>The name of the exponential decay's rate per period.</summary>
    public const string DecayRate = "lr_decay_rate";

    /// <summary>The name of the exponential decay's staircase switch: a categorical of <see langword="false"/> and <see langword="true"/>.</summary>
    public const string Staircase = "lr_staircase";

    /// <summary>The name of the end learning rate as a fraction of the initial one (polynomial and cosine decays).</summary>
    public const string EndFactor = "lr_end_factor";

    /// <summary>The name of the polynomial decay's power.</summary>
    public const string Power = "lr_power";

    /// <summary>The name of the piecewise-constant decay's boundaries: a categorical of comma-separated fractions of the run.</summary>
    public const string PiecewiseBoundaries = "lr_boundaries";

    /// <summary>The name of the factor the piecewise-constant decay applies at each boundary (so its values are lr · factorⁱ).</summary>
    public const string PiecewiseFactor = "lr_piecewise_factor";

    /// <summary>The name of the batch size: an integer on a log scale.</summary>
    public const string BatchSize = "batch_size";

    /// <summary>Gets the names of every parameter the full space declares, in declaration order.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } =
    [
        Optimizer, LearningRate, WeightDecay, ClipNorm, Momentum, Beta1, Beta2, Epsilon, Decay, DecayPeriod, DecayRate,
        Staircase, EndFactor, Power, PiecewiseBoundaries, PiecewiseFactor, BatchSize,
    ];

    /// <summary>Creates the optimizer search space.</summary>
    /// <param name="options">What the space holds; <see langword="null"/> for the full default space.</param>
    /// <returns>The space.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <example>
    /// <code>
    /// var options = new OptimizerSearchSpaceOptions { LearningRate = new FloatDistribution(1e-3, 0.1, log: true) };
    /// options.Optimizers.Remove(OptimizerKind.Adagrad);
    /// SearchSpace space = OptimizerSearchSpace.Create(options);
    /// </code>
    /// </example>
    public static SearchSpace Create(OptimizerSearchSpaceOptions? options = null) =>
        AddTo(new SearchSpaceBuilder(), options ?? new OptimizerSearchSpaceOptions()).Build();

    /// <summary>Gets the categorical name of an optimizer, as it appears in the <see cref="Optimizer"/> parameter.</summary>
    /// <param name="kind">The optimizer.</param>
    /// <returns>Its name, such as <c>adamw</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined.</exception>
    public static string NameOf(OptimizerKind kind) => OptimizerNames.Of(kind);

    /// <summary>Gets the categorical name of a learning-rate decay, as it appears in the <see cref="Decay"/> parameter.</summary>
    /// <param name="kind">The decay.</param>
    /// <returns>Its name, such as <c>piecewise_constant</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined.</exception>
    public static string NameOf(LearningRateDecayKind kind) => OptimizerNames.Of(kind);

    /// <summary>Adds the parameters to a builder (the body of <see cref="OptimizerSearchSpaceExtensions.AddOptimizer"/>).</summary>
    internal static SearchSpaceBuilder AddTo(SearchSpaceBuilder builder, OptimizerSearchSpaceOptions options)
    {
        options.Validate();
        object[] optimizers = [.. options.Optimizers.Select(o => (object)NameOf(o))];
        object[] decays = [.. options.Decays.Select(d => (object)NameOf(d))];
        builder.AddCategorical(Optimizer, optimizers).Add(LearningRate, options.LearningRate);
        AddIfPresent(builder, WeightDecay, options.WeightDecay, null);
        AddIfPresent(builder, ClipNorm, options.ClipNorm, null);
        AddWhen(builder, Momentum, options.Momentum, Optimizer, optimizers, "momentum");
        AddWhen(builder, Beta1, options.Beta1, Optimizer, optimizers, "adam", "adamw");
        AddWhen(builder, Beta2, options.Beta2, Optimizer, optimizers, "adam", "adamw");
        AddWhen(builder, Epsilon, options.Epsilon, Optimizer, optimizers, "adam", "adamw");

        builder.AddCategorical(Decay, decays);
        AddWhen(builder, DecayPeriod, options.DecayPeriod, Decay, decays, "exponential", "polynomial", "cosine");
        AddWhen(builder, DecayRate, options.DecayRate, Decay, decays, "exponential");
        if (options.SearchStaircase && decays.Contains("exponential"))
        {
            builder.AddCategorical(Staircase, ParameterCondition.When(Decay, "exponential"), false, true);
        }

        AddWhen(builder, EndFactor, options.EndFactor, Decay, decays, "polynomial", "cosine");
        AddWhen(builder, Power, options.Power, Decay, decays, "polynomial");
        if (decays.Contains("piecewise_constant"))
        {
            builder.AddCategorical(PiecewiseBoundaries, ParameterCondition.When(Decay, "piecewise_constant"), [.. options.PiecewiseBoundaries]);
            builder.Add(PiecewiseFactor, options.PiecewiseFactor, ParameterCondition.When(Decay, "piecewise_constant"));
        }

        AddIfPresent(builder, BatchSize, options.BatchSize, null);
        return builder;
    }

    private static void AddIfPresent(SearchSpaceBuilder builder, string name, Distribution? distribution, ParameterCondition? condition)
    {
        if (distribution is not null)
        {
            builder.Add(name, distribution, condition);
        }
    }

    // Declares a child only for the parent values that are in the space, and not at all when none is.
    private static void AddWhen(SearchSpaceBuilder builder, string name, Distribution distribution, string parent, object[] present, params string[] values)
    {
        object[] active = [.. values.Where(present.Contains)];
        if (active.Length > 0)
        {
            builder.Add(name, distribution, new ParameterCondition(parent, active));
        }
    }
}
