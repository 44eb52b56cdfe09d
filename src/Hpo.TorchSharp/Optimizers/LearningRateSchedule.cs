using TorchOptimizer = TorchSharp.torch.optim.Optimizer;

namespace Hpo.TorchSharp.Optimizers;

/// <summary>
/// The learning rate at each optimizer step of a training run, computed from <see cref="OptimizerSettings"/> (see
/// <see cref="LearningRateDecayKind"/> for the formulas), and applied to a TorchSharp optimizer's parameter groups.
/// </summary>
/// <remarks>
/// Steps count from 0. The decay period and the piecewise boundaries are fractions of <see cref="TotalSteps"/>, so the same
/// settings give the same shape whatever the data size and batch size. Added in 0.1.
/// </remarks>
public sealed class LearningRateSchedule
{
    private readonly OptimizerSettings settings;
    private readonly double period;

    /// <summary>Initializes a new instance of the <see cref="LearningRateSchedule"/> class.</summary>
    /// <param name="settings">The settings: initial learning rate, decay and its own settings.</param>
    /// <param name="totalSteps">The optimizer steps of the whole run; at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="settings"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalSteps"/> is less than 1.</exception>
    public LearningRateSchedule(OptimizerSettings settings, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        this.settings = settings;
        TotalSteps = totalSteps;
        period = Math.Max(1.0, settings.DecayPeriod * totalSteps);
    }

    /// <summary>Gets the optimizer steps of the whole run.</summary>
    public long TotalSteps { get; }

    /// <summary>Gets the learning rate at a step.</summary>
    /// <param name="step">The optimizer step, from 0.</param>
    /// <returns>The learning rate.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double LearningRateAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        double lr = settings.LearningRate;
        double end = lr * settings.EndFactor;
        switch (settings.Decay)
        {
            case LearningRateDecayKind.Exponential:
                double exponent = step / period;
                return lr * Math.Pow(settings.DecayRate, settings.Staircase ? Math.Floor(exponent) : exponent);
            case LearningRateDecayKind.Polynomial:
                double left = 1 - (Math.Min(step, period) / period);
                return ((lr - end) * Math.Pow(left, settings.Power)) + end;
            case LearningRateDecayKind.PiecewiseConstant:
                int passed = 0;
                foreach (double boundary in settings.PiecewiseBoundaries)
                {
                    if (step >= (long)Math.Round(boundary * TotalSteps))
                    {
                        passed++;
                    }
                }

                return lr * Math.Pow(settings.PiecewiseFactor, passed);
            case LearningRateDecayKind.Cosine:
                double progress = Math.Min(step, period) / period;
                return end + ((lr - end) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
            default:
                return lr;
        }
    }

    /// <summary>Sets the learning rate of every parameter group of an optimizer to the rate at a step.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="step">The optimizer step, from 0.</param>
    /// <returns>The learning rate set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double Apply(TorchOptimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        double lr = LearningRateAt(step);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        return lr;
    }
}
