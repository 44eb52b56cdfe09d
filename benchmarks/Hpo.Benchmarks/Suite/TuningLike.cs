using Hpo.SearchSpaces;

namespace Hpo.Benchmarks.Suite;

/// <summary>
/// A mixed space that mimics a neural net's validation loss: log-scaled learning rate, integer depth, a categorical
/// activation, and a dropout whose optimum moves with the depth.
/// </summary>
public sealed class TuningLike : TestFunction
{
    private static readonly double Log10Optimum = Math.Log10(0.003);

    private static readonly SearchSpace Space = new SearchSpaceBuilder()
        .AddFloat("lr", 1e-5, 1.0, log: true)
        .AddInt("layers", 1, 8)
        .AddCategorical("activation", "relu", "tanh", "gelu", "sigmoid")
        .AddFloat("dropout", 0.0, 0.8)
        .Build();

    /// <inheritdoc/>
    public override string Name => "tuning_like";

    /// <inheritdoc/>
    public override SearchSpace SearchSpace => Space;

    /// <inheritdoc/>
    public override int Budget => 100;

    /// <inheritdoc/>
    public override double FStar => 0.0;

    /// <inheritdoc/>
    public override double Evaluate(IReadOnlyDictionary<string, object> parameters)
    {
        double lr = GetDouble(parameters, "lr");
        long layers = GetInt64(parameters, "layers");
        string activation = GetString(parameters, "activation");
        double dropout = GetDouble(parameters, "dropout");
        return Evaluate(lr, layers, activation, dropout);
    }

    /// <summary>Evaluates the function at typed arguments.</summary>
    /// <param name="lr">The learning rate.</param>
    /// <param name="layers">The number of layers.</param>
    /// <param name="activation">The activation: relu, tanh, gelu or sigmoid.</param>
    /// <param name="dropout">The dropout rate.</param>
    /// <returns>The function's value.</returns>
    public static double Evaluate(double lr, long layers, string activation, double dropout)
    {
        double u = Math.Log10(lr) - Log10Optimum;
        double fLr = u < 0.0 ? (0.08 * u) * u : (0.30 * u) * u;
        double k = (double)(layers - 3);
        double fLayers = (0.04 * k) * k;
        double fAct = activation switch
        {
            "relu" => 0.05,
            "tanh" => 0.15,
            "gelu" => 0.0,
            "sigmoid" => 0.40,
            _ => throw new ArgumentException($"activation must be relu, tanh, gelu or sigmoid, but got '{activation}'.", nameof(activation)),
        };
        double dstar = 0.10 + (0.05 * (double)layers);
        double dd = dropout - dstar;
        double fDrop = (1.5 * dd) * dd;
        return ((fLr + fLayers) + fAct) + fDrop;
    }
}
