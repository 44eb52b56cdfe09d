using Hpo.MLNet.Trainers;
using Hpo.SearchSpaces;

namespace Hpo;

/// <summary>Adds LightGbm parameters to a <see cref="SearchSpaceBuilder"/>.</summary>
public static class LightGbmSearchSpaceExtensions
{
    /// <summary>
    /// Adds the default LightGbm parameters (see <see cref="LightGbmSearchSpace"/>) to a builder, so they can sit next to the
    /// caller's own parameters (for example feature-engineering choices).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The builder already has a parameter with one of the LightGbm names.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its space.</exception>
    public static SearchSpaceBuilder AddLightGbm(this SearchSpaceBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddFloat(LightGbmSearchSpace.LearningRate, 1e-3, 0.5, log: true)
            .AddInt(LightGbmSearchSpace.NumberOfLeaves, 2, 128, log: true)
            .AddInt(LightGbmSearchSpace.MinimumExampleCountPerLeaf, 1, 64, log: true)
            .AddInt(LightGbmSearchSpace.NumberOfIterations, 10, 500, log: true)
            .AddFloat(LightGbmSearchSpace.L2Regularization, 1e-6, 10, log: true);
    }
}
