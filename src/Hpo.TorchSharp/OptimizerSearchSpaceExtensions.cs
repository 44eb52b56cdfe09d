using Hpo.SearchSpaces;
using Hpo.TorchSharp.SearchSpaces;

namespace Hpo;

/// <summary>Adds the optimizer search space to a <see cref="SearchSpaceBuilder"/>.</summary>
public static class OptimizerSearchSpaceExtensions
{
    /// <summary>
    /// Adds the optimizer and learning-rate schedule parameters (see <see cref="OptimizerSearchSpace"/>) to a builder, so they
    /// can sit next to the caller's own parameters (for example the model's hidden sizes).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">What the space holds; <see langword="null"/> for the full default space.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>, or a required distribution of <paramref name="options"/> is.</exception>
    /// <exception cref="ArgumentException">The options are invalid, or the builder already has a parameter with one of the names.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built its space.</exception>
    /// <example>
    /// <code>
    /// SearchSpace space = new SearchSpaceBuilder()
    ///     .AddInt("hidden", 4, 64, log: true)
    ///     .AddOptimizer()
    ///     .Build();
    /// </code>
    /// </example>
    public static SearchSpaceBuilder AddOptimizer(this SearchSpaceBuilder builder, OptimizerSearchSpaceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return OptimizerSearchSpace.AddTo(builder, options ?? new OptimizerSearchSpaceOptions());
    }
}
