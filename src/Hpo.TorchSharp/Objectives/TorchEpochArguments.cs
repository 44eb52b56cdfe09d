using Hpo.Trials;

namespace Hpo.TorchSharp.Objectives;

/// <summary>What <see cref="TorchTrainingOptions.OnEpochFinished"/> receives after each epoch.</summary>
/// <remarks>Added in 0.1.</remarks>
public readonly struct TorchEpochArguments
{
    /// <summary>Initializes a new instance of the <see cref="TorchEpochArguments"/> struct.</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="trainingLoss">The mean training loss of the epoch.</param>
    /// <param name="metric">The validation metric after the epoch.</param>
    /// <param name="learningRate">The learning rate of the epoch's last step.</param>
    public TorchEpochArguments(ITrial trial, int epoch, double trainingLoss, double metric, double learningRate)
    {
        Trial = trial;
        Epoch = epoch;
        TrainingLoss = trainingLoss;
        Metric = metric;
        LearningRate = learningRate;
    }

    /// <summary>Gets the trial.</summary>
    public ITrial Trial { get; }

    /// <summary>Gets the epoch, from 1.</summary>
    public int Epoch { get; }

    /// <summary>Gets the mean training loss of the epoch.</summary>
    public double TrainingLoss { get; }

    /// <summary>Gets the validation metric after the epoch.</summary>
    public double Metric { get; }

    /// <summary>Gets the learning rate of the epoch's last step.</summary>
    public double LearningRate { get; }
}
