namespace Hpo.Samples.Distributed;

/// <summary>
/// A cheap stand-in for a training run, shared by the in-process worker and the trial program: a loss that falls over
/// <see cref="Epochs"/> epochs towards (x - 1)² + (y + 2)², so that the best parameters are x = 1, y = -2 with a loss of 0.
/// Each epoch sleeps <see cref="EpochDelay"/>, as real training takes time.
/// </summary>
public static class SyntheticTraining
{
    /// <summary>The number of epochs of one trial.</summary>
    public const int Epochs = 5;

    /// <summary>Gets how long one epoch takes.</summary>
    public static TimeSpan EpochDelay { get; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Gets the loss after an epoch: the final loss plus a term that vanishes as training goes on.</summary>
    /// <param name="x">The parameter 'x'.</param>
    /// <param name="y">The parameter 'y'.</param>
    /// <param name="epoch">The epoch, from 1 to <see cref="Epochs"/>.</param>
    /// <returns>The loss.</returns>
    public static double Loss(double x, double y, int epoch) =>
        ((x - 1) * (x - 1)) + ((y + 2) * (y + 2)) + (1.0 / epoch) - (1.0 / Epochs);
}
