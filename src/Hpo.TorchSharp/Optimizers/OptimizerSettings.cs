using System.Globalization;
using Hpo.Trials;
using Hpo.TorchSharp.SearchSpaces;
using TorchParameter = TorchSharp.Modules.Parameter;
using TorchOptimizer = TorchSharp.torch.optim.Optimizer;
using TorchOptim = TorchSharp.torch.optim;

namespace Hpo.TorchSharp.Optimizers;

/// <summary>
/// The optimizer and learning-rate schedule of one trial, read from the parameters named by <see cref="OptimizerSearchSpace"/>,
/// and their mapping to a TorchSharp optimizer (<c>torch.optim.*</c>) and a <see cref="LearningRateSchedule"/>.
/// </summary>
/// <remarks>
/// A parameter absent from the trial (left out of the space, or inactive) keeps the default of its property. Added in 0.1.
/// </remarks>
public sealed record OptimizerSettings
{
    /// <summary>Gets the optimizer.</summary>
    /// <value>The default value is <see cref="OptimizerKind.Adam"/>.</value>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Gets the initial learning rate.</summary>
    /// <value>The default value is 1e-3.</value>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Gets the weight decay (L2, or decoupled for AdamW).</summary>
    /// <value>The default value is 0.</value>
    public double WeightDecay { get; init; }

    /// <summary>Gets the gradient-clipping norm, or <see langword="null"/> for no clipping.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public double? ClipNorm { get; init; }

    /// <summary>Gets the momentum of the <see cref="OptimizerKind.Momentum"/> optimizer.</summary>
    /// <value>The default value is 0.9.</value>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Gets Adam's first-moment decay.</summary>
    /// <value>The default value is 0.9.</value>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Gets Adam's second-moment decay.</summary>
    /// <value>The default value is 0.999.</value>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Gets Adam's epsilon.</summary>
    /// <value>The default value is 1e-8.</value>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Gets the learning-rate decay.</summary>
    /// <value>The default value is <see cref="LearningRateDecayKind.None"/>.</value>
    public LearningRateDecayKind Decay { get; init; } = LearningRateDecayKind.None;

    /// <summary>Gets the decay period as a fraction of the training run's optimizer steps.</summary>
    /// <value>The default value is 1.</value>
    public double DecayPeriod { get; init; } = 1;

    /// <summary>Gets the exponential decay's rate per period.</summary>
    /// <value>The default value is 0.1.</value>
    public double DecayRate { get; init; } = 0.1;

    /// <summary>Gets a value indicating whether the exponential decay falls in steps, once per period.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Staircase { get; init; }

    /// <summary>Gets the end learning rate of the polynomial and cosine decays as a fraction of the initial one.</summary>
    /// <value>The default value is 0.</value>
    public double EndFactor { get; init; }

    /// <summary>Gets the polynomial decay's power.</summary>
    /// <value>The default value is 1 (linear).</value>
    public double Power { get; init; } = 1;

    /// <summary>Gets the piecewise-constant decay's boundaries, as increasing fractions of the training run.</summary>
    /// <value>The default value is <c>[0.5]</c>.</value>
    public IReadOnlyList<double> PiecewiseBoundaries { get; init; } = [0.5];

    /// <summary>Gets the factor the piecewise-constant decay applies at each boundary.</summary>
    /// <value>The default value is 0.1.</value>
    public double PiecewiseFactor { get; init; } = 0.1;

    /// <summary>Gets the batch size.</summary>
    /// <value>The default value is 32.</value>
    public int BatchSize { get; init; } = 32;

    /// <summary>Reads the settings of a trial.</summary>
    /// <param name="trial">The trial.</param>
    /// <returns>The settings; those absent from the trial keep their defaults.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="trial"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A value has the wrong type or is unknown.</exception>
    public static OptimizerSettings FromTrial(ITrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return FromParameters(trial.Parameters);
    }

    /// <summary>
    /// Reads the settings from a name→value map, such as <see cref="ITrial.Parameters"/> or the <see cref="TrialRecord.Parameters"/>
    /// of a study's best trial. Other names are ignored.
    /// </summary>
    /// <param name="parameters">The values by name.</param>
    /// <returns>The settings; those absent from the map keep their defaults.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A value has the wrong type or is unknown.</exception>
    public static OptimizerSettings FromParameters(IReadOnlyDictionary<string, object> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var defaults = new OptimizerSettings();
        return new OptimizerSettings
        {
            Optimizer = parameters.TryGetValue(OptimizerSearchSpace.Optimizer, out object? o) ? ParseOptimizer(o) : defaults.Optimizer,
            LearningRate = Double(parameters, OptimizerSearchSpace.LearningRate) ?? defaults.LearningRate,
            WeightDecay = Double(parameters, OptimizerSearchSpace.WeightDecay) ?? defaults.WeightDecay,
            ClipNorm = Double(parameters, OptimizerSearchSpace.ClipNorm),
            Momentum = Double(parameters, OptimizerSearchSpace.Momentum) ?? defaults.Momentum,
            Beta1 = Double(parameters, OptimizerSearchSpace.Beta1) ?? defaults.Beta1,
            Beta2 = Double(parameters, OptimizerSearchSpace.Beta2) ?? defaults.Beta2,
            Epsilon = Double(parameters, OptimizerSearchSpace.Epsilon) ?? defaults.Epsilon,
            Decay = parameters.TryGetValue(OptimizerSearchSpace.Decay, out object? d) ? ParseDecay(d) : defaults.Decay,
            DecayPeriod = Double(parameters, OptimizerSearchSpace.DecayPeriod) ?? defaults.DecayPeriod,
            DecayRate = Double(parameters, OptimizerSearchSpace.DecayRate) ?? defaults.DecayRate,
            Staircase = parameters.TryGetValue(OptimizerSearchSpace.Staircase, out object? s) ? ParseBool(s) : defaults.Staircase,
            EndFactor = Double(parameters, OptimizerSearchSpace.EndFactor) ?? defaults.EndFactor,
            Power = Double(parameters, OptimizerSearchSpace.Power) ?? defaults.Power,
            PiecewiseBoundaries = parameters.TryGetValue(OptimizerSearchSpace.PiecewiseBoundaries, out object? b)
                ? (TryParseBoundaries(b as string, out IReadOnlyList<double> list) ? list : throw new ArgumentException($"'{OptimizerSearchSpace.PiecewiseBoundaries}' must hold increasing fractions strictly between 0 and 1 separated by commas, but got '{b}'.", nameof(parameters)))
                : defaults.PiecewiseBoundaries,
            PiecewiseFactor = Double(parameters, OptimizerSearchSpace.PiecewiseFactor) ?? defaults.PiecewiseFactor,
            BatchSize = parameters.TryGetValue(OptimizerSearchSpace.BatchSize, out object? n) ? checked((int)Convert.ToInt64(n, CultureInfo.InvariantCulture)) : defaults.BatchSize,
        };
    }

    /// <summary>Determines whether two settings are equal, comparing the piecewise boundaries element by element.</summary>
    /// <param name="other">The other settings.</param>
    /// <returns><see langword="true"/> when every setting is equal.</returns>
    public bool Equals(OptimizerSettings? other) =>
        other is not null
        && (Optimizer, LearningRate, WeightDecay, ClipNorm, Momentum, Beta1, Beta2, Epsilon) ==
           (other.Optimizer, other.LearningRate, other.WeightDecay, other.ClipNorm, other.Momentum, other.Beta1, other.Beta2, other.Epsilon)
        && (Decay, DecayPeriod, DecayRate, Staircase, EndFactor, Power, PiecewiseFactor, BatchSize) ==
           (other.Decay, other.DecayPeriod, other.DecayRate, other.Staircase, other.EndFactor, other.Power, other.PiecewiseFactor, other.BatchSize)
        && PiecewiseBoundaries.SequenceEqual(other.PiecewiseBoundaries);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Optimizer, LearningRate, WeightDecay, Decay, BatchSize, PiecewiseBoundaries.Count);

    /// <summary>Creates the TorchSharp optimizer for a model's parameters.</summary>
    /// <param name="parameters">The parameters to optimize, usually <c>model.parameters()</c>.</param>
    /// <returns>
    /// <c>torch.optim.SGD</c> (without or with momentum), <c>Adam</c>, <c>AdamW</c>, <c>Adagrad</c> or <c>RMSProp</c>, set up with
    /// the initial learning rate, the weight decay and, for Adam and AdamW, the betas and epsilon.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is <see langword="null"/>.</exception>
    public TorchOptimizer CreateOptimizer(IEnumerable<TorchParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Optimizer switch
        {
            OptimizerKind.Sgd => TorchOptim.SGD(parameters, LearningRate, weight_decay: WeightDecay),
            OptimizerKind.Momentum => TorchOptim.SGD(parameters, LearningRate, momentum: Momentum, weight_decay: WeightDecay),
            OptimizerKind.Adam => TorchOptim.Adam(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecay),
            OptimizerKind.AdamW => TorchOptim.AdamW(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecay),
            OptimizerKind.Adagrad => TorchOptim.Adagrad(parameters, LearningRate, weight_decay: WeightDecay),
            OptimizerKind.RmsProp => TorchOptim.RMSProp(parameters, LearningRate, weight_decay: WeightDecay),
            _ => throw new InvalidOperationException($"'{Optimizer}' is not an OptimizerKind."),
        };
    }

    /// <summary>Creates the learning-rate schedule for a training run of a given length.</summary>
    /// <param name="totalSteps">The optimizer steps of the whole run (epochs × batches per epoch); at least 1.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalSteps"/> is less than 1.</exception>
    public LearningRateSchedule CreateSchedule(long totalSteps) => new(this, totalSteps);

    /// <summary>Parses a comma-separated list of increasing fractions strictly between 0 and 1.</summary>
    internal static bool TryParseBoundaries(string? text, out IReadOnlyList<double> boundaries)
    {
        boundaries = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var list = new List<double>();
        foreach (string part in text.Split(','))
        {
            if (!double.TryParse(part.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                || value <= 0 || value >= 1 || (list.Count > 0 && value <= list[^1]))
            {
                return false;
            }

            list.Add(value);
        }

        boundaries = list;
        return true;
    }

    private static double? Double(IReadOnlyDictionary<string, object> parameters, string name)
    {
        if (!parameters.TryGetValue(name, out object? value))
        {
            return null;
        }

        return value switch
        {
            double d => d,
            float f => f,
            long l => l,
            int i => i,
            _ => throw new ArgumentException($"'{name}' must be a number, but got {value} ({value?.GetType().Name}).", nameof(parameters)),
        };
    }

    private static bool ParseBool(object value) => value switch
    {
        bool b => b,
        string s when bool.TryParse(s, out bool b) => b,
        _ => throw new ArgumentException($"'{OptimizerSearchSpace.Staircase}' must be true or false, but got '{value}'.", nameof(value)),
    };

    private static OptimizerKind ParseOptimizer(object value)
    {
        foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>())
        {
            if (string.Equals(OptimizerNames.Of(kind), value as string, StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        throw new ArgumentException($"'{OptimizerSearchSpace.Optimizer}' must be one of sgd, momentum, adam, adamw, adagrad, rmsprop, but got '{value}'.", nameof(value));
    }

    private static LearningRateDecayKind ParseDecay(object value)
    {
        foreach (LearningRateDecayKind kind in Enum.GetValues<LearningRateDecayKind>())
        {
            if (string.Equals(OptimizerNames.Of(kind), value as string, StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        throw new ArgumentException($"'{OptimizerSearchSpace.Decay}' must be one of none, exponential, polynomial, piecewise_constant, cosine, but got '{value}'.", nameof(value));
    }
}
