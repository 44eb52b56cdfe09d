namespace Hpo.TorchSharp.Optimizers;

/// <summary>The learning-rate decays of the optimizer search space, with the names they take as categorical choices.</summary>
/// <remarks>
/// Each decay is computed per optimizer step by <see cref="LearningRateSchedule"/>; its length (the decay period) is a
/// fraction of the whole training run, so one search space suits data sets and batch sizes of any size. Added in 0.1.
/// </remarks>
public enum LearningRateDecayKind
{
    /// <summary>A constant learning rate (<c>none</c>).</summary>
    None,

    /// <summary>
    /// Exponential decay (<c>exponential</c>): <c>lr · rate^(t / period)</c>, with <c>t / period</c> rounded down when the
    /// schedule is a staircase.
    /// </summary>
    Exponential,

    /// <summary>
    /// Polynomial decay (<c>polynomial</c>): from <c>lr</c> to the end learning rate over the period,
    /// <c>(lr − end) · (1 − min(t, period) / period)^power + end</c>.
    /// </summary>
    Polynomial,

    /// <summary>
    /// Piecewise-constant decay (<c>piecewise_constant</c>): the learning rate is multiplied by the factor at each boundary,
    /// so the values are <c>lr, lr · factor, lr · factor², …</c>.
    /// </summary>
    PiecewiseConstant,

    /// <summary>
    /// Cosine decay (<c>cosine</c>): from <c>lr</c> to the end learning rate over the period along half a cosine,
    /// <c>end + (lr − end) · (1 + cos(π · min(t, period) / period)) / 2</c>.
    /// </summary>
    Cosine,
}
