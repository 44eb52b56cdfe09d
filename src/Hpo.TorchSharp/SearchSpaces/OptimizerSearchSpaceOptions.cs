using Hpo.SearchSpaces;
using Hpo.TorchSharp.Optimizers;

namespace Hpo.TorchSharp.SearchSpaces;

/// <summary>
/// Chooses what the optimizer search space holds: which optimizers and learning-rate decays compete, and the range of each
/// setting. The defaults are the full space; narrow it by listing fewer choices or setting smaller distributions, and leave a
/// setting out by setting its distribution to <see langword="null"/> where the property allows it.
/// </summary>
/// <remarks>
/// A conditional setting is declared only when one of its parents' values is in the space: with <see cref="Optimizers"/> set to
/// <c>[Sgd, Momentum]</c> there is no <c>beta1</c>, and with <see cref="Decays"/> set to <c>[None]</c> there is no decay
/// setting at all. Added in 0.1.
/// </remarks>
public sealed class OptimizerSearchSpaceOptions
{
    /// <summary>Gets the optimizers to choose from (the <c>optimizer</c> parameter); at least one, without repeats.</summary>
    /// <value>The default value is every <see cref="OptimizerKind"/>.</value>
    public IList<OptimizerKind> Optimizers { get; } = [.. Enum.GetValues<OptimizerKind>()];

    /// <summary>Gets or sets the distribution of the initial learning rate (<c>learning_rate</c>).</summary>
    /// <value>The default value is [1e-4, 0.3] on a log scale.</value>
    public FloatDistribution LearningRate { get; set; } = new(1e-4, 0.3, log: true);

    /// <summary>
    /// Gets or sets the distribution of the weight decay (<c>weight_decay</c>: L2 for every optimizer but AdamW, decoupled for
    /// AdamW), or <see langword="null"/> to leave it out (no weight decay).
    /// </summary>
    /// <value>The default value is [1e-6, 1e-2] on a log scale.</value>
    public FloatDistribution? WeightDecay { get; set; } = new(1e-6, 1e-2, log: true);

    /// <summary>
    /// Gets or sets the distribution of the gradient-clipping norm (<c>clip_norm</c>: the largest L2 norm of all gradients
    /// together), or <see langword="null"/> to leave it out (no clipping).
    /// </summary>
    /// <value>The default value is [0.1, 10] on a log scale.</value>
    public FloatDistribution? ClipNorm { get; set; } = new(0.1, 10, log: true);

    /// <summary>Gets or sets the distribution of the momentum (<c>momentum</c>), present when the optimizer is <c>momentum</c>.</summary>
    /// <value>The default value is [0.5, 0.99].</value>
    public FloatDistribution Momentum { get; set; } = new(0.5, 0.99);

    /// <summary>Gets or sets the distribution of Adam's first-moment decay (<c>beta1</c>), present when the optimizer is <c>adam</c> or <c>adamw</c>.</summary>
    /// <value>The default value is [0.8, 0.99].</value>
    public FloatDistribution Beta1 { get; set; } = new(0.8, 0.99);

    /// <summary>Gets or sets the distribution of Adam's second-moment decay (<c>beta2</c>), present when the optimizer is <c>adam</c> or <c>adamw</c>.</summary>
    /// <value>The default value is [0.9, 0.9999].</value>
    public FloatDistribution Beta2 { get; set; } = new(0.9, 0.9999);

    /// <summary>Gets or sets the distribution of Adam's epsilon (<c>epsilon</c>), present when the optimizer is <c>adam</c> or <c>adamw</c>.</summary>
    /// <value>The default value is [1e-9, 1e-6] on a log scale.</value>
    public FloatDistribution Epsilon { get; set; } = new(1e-9, 1e-6, log: true);

    /// <summary>Gets the learning-rate decays to choose from (the <c>lr_decay</c> parameter); at least one, without repeats.</summary>
    /// <value>The default value is every <see cref="LearningRateDecayKind"/>.</value>
    public IList<LearningRateDecayKind> Decays { get; } = [.. Enum.GetValues<LearningRateDecayKind>()];

    /// <summary>
    /// Gets or sets the distribution of the decay period (<c>lr_decay_period</c>) as a fraction of the training run's optimizer
    /// steps, present for the exponential, polynomial and cosine decays. It plays the part of the decay steps.
    /// </summary>
    /// <value>The default value is [0.1, 1].</value>
    public FloatDistribution DecayPeriod { get; set; } = new(0.1, 1);

    /// <summary>Gets or sets the distribution of the exponential decay's rate per period (<c>lr_decay_rate</c>).</summary>
    /// <value>The default value is [0.05, 0.9].</value>
    public FloatDistribution DecayRate { get; set; } = new(0.05, 0.9);

    /// <summary>Gets or sets a value indicating whether the exponential decay may be a staircase (<c>lr_staircase</c> in {false, true}); when <see langword="false"/> the parameter is left out and the decay is smooth.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SearchStaircase { get; set; } = true;

    /// <summary>
    /// Gets or sets the distribution of the end learning rate as a fraction of the initial one (<c>lr_end_factor</c>), present
    /// for the polynomial and cosine decays.
    /// </summary>
    /// <value>The default value is [1e-3, 0.3] on a log scale.</value>
    public FloatDistribution EndFactor { get; set; } = new(1e-3, 0.3, log: true);

    /// <summary>Gets or sets the distribution of the polynomial decay's power (<c>lr_power</c>).</summary>
    /// <value>The default value is [0.5, 3].</value>
    public FloatDistribution Power { get; set; } = new(0.5, 3);

    /// <summary>
    /// Gets the boundary sets of the piecewise-constant decay to choose from (<c>lr_boundaries</c>): each is a comma-separated,
    /// increasing list of fractions of the training run, strictly between 0 and 1, such as <c>"0.5,0.75"</c>.
    /// </summary>
    /// <value>The default value is <c>["0.5", "0.33,0.67", "0.5,0.75"]</c>.</value>
    public IList<string> PiecewiseBoundaries { get; } = ["0.5", "0.33,0.67", "0.5,0.75"];

    /// <summary>
    /// Gets or sets the distribution of the factor applied at each piecewise-constant boundary (<c>lr_piecewise_factor</c>): the
    /// values are the learning rate times 1, factor, factor², ….
    /// </summary>
    /// <value>The default value is [0.01, 0.5] on a log scale.</value>
    public FloatDistribution PiecewiseFactor { get; set; } = new(0.01, 0.5, log: true);

    /// <summary>Gets or sets the distribution of the batch size (<c>batch_size</c>), or <see langword="null"/> to leave it out.</summary>
    /// <value>The default value is the integers [8, 256] on a log scale.</value>
    public IntDistribution? BatchSize { get; set; } = new(8, 256, log: true);

    /// <summary>Checks the options and throws one exception that lists every problem.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    internal void Validate()
    {
        var problems = new List<string>();
        if (Optimizers.Count == 0 || Optimizers.Distinct().Count() != Optimizers.Count)
        {
            problems.Add($"Optimizers must list at least one optimizer, each once, but got [{string.Join(", ", Optimizers)}].");
        }

        if (Optimizers.Any(o => !Enum.IsDefined(o)))
        {
            problems.Add("Optimizers holds a value that is not an OptimizerKind.");
        }

        if (Decays.Count == 0 || Decays.Distinct().Count() != Decays.Count)
        {
            problems.Add($"Decays must list at least one learning-rate decay, each once, but got [{string.Join(", ", Decays)}].");
        }

        if (Decays.Any(d => !Enum.IsDefined(d)))
        {
            problems.Add("Decays holds a value that is not a LearningRateDecayKind.");
        }

        if (Decays.Contains(LearningRateDecayKind.PiecewiseConstant))
        {
            if (PiecewiseBoundaries.Count == 0 || PiecewiseBoundaries.Distinct().Count() != PiecewiseBoundaries.Count)
            {
                problems.Add("PiecewiseBoundaries must list at least one boundary set, each once, when Decays holds PiecewiseConstant.");
            }

            foreach (string boundaries in PiecewiseBoundaries)
            {
                if (!OptimizerSettings.TryParseBoundaries(boundaries, out _))
                {
                    problems.Add($"PiecewiseBoundaries must hold increasing fractions strictly between 0 and 1, separated by commas, but got '{boundaries}'.");
                }
            }
        }

        CheckPositive(problems, nameof(LearningRate), LearningRate);
        CheckAtLeastZero(problems, nameof(WeightDecay), WeightDecay);
        CheckPositive(problems, nameof(ClipNorm), ClipNorm);
        CheckUnit(problems, nameof(Momentum), Momentum, allowZero: true);
        CheckUnit(problems, nameof(Beta1), Beta1, allowZero: true);
        CheckUnit(problems, nameof(Beta2), Beta2, allowZero: true);
        CheckPositive(problems, nameof(Epsilon), Epsilon);
        CheckPeriod(problems);
        CheckUnit(problems, nameof(DecayRate), DecayRate, allowZero: false);
        CheckUnit(problems, nameof(EndFactor), EndFactor, allowZero: true);
        CheckPositive(problems, nameof(Power), Power);
        CheckUnit(problems, nameof(PiecewiseFactor), PiecewiseFactor, allowZero: false);
        if (BatchSize is { Low: < 1 })
        {
            problems.Add($"BatchSize must start at 1 or more, but got {BatchSize}.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The '{nameof(OptimizerSearchSpaceOptions)}' are invalid.{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "- " + p))}");
        }
    }

    private static void CheckPositive(List<string> problems, string name, FloatDistribution? distribution)
    {
        if (distribution is { Low: <= 0 })
        {
            problems.Add($"{name} must hold positive values only, but got {distribution}.");
        }
    }

    private static void CheckAtLeastZero(List<string> problems, string name, FloatDistribution? distribution)
    {
        if (distribution is { Low: < 0 })
        {
            problems.Add($"{name} must hold values of 0 or more, but got {distribution}.");
        }
    }

    private static void CheckUnit(List<string> problems, string name, FloatDistribution? distribution, bool allowZero)
    {
        if (distribution is not null && (distribution.High >= 1 || distribution.Low < 0 || (!allowZero && distribution.Low <= 0)))
        {
            problems.Add($"{name} must hold values in {(allowZero ? "[0, 1)" : "(0, 1)")}, but got {distribution}.");
        }
    }

    private void CheckPeriod(List<string> problems)
    {
        if (DecayPeriod is null || DecayPeriod.Low <= 0 || DecayPeriod.High > 1)
        {
            problems.Add($"DecayPeriod must hold fractions in (0, 1], but got {DecayPeriod}.");
        }
    }
}
