namespace Hpo.Benchmarks.Suite;

/// <summary>
/// Optuna 3.1.0's median final regret over seeds 0..9 on this suite, and the reference GP-BO's, as measured and published in
/// the suite's README (the peer figures every claim is compared with).
/// </summary>
public static class OptunaReference
{
    /// <summary>Gets the names of Optuna's samplers, in the README's column order.</summary>
    public static IReadOnlyList<string> Samplers { get; } = ["Random", "TPE", "TPE multivariate", "CMA-ES", "NSGA-II", "QMC Sobol"];

    /// <summary>Gets the median final regret of each of Optuna's samplers (in <see cref="Samplers"/> order), by function.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<double>> MedianRegret { get; } = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal)
    {
        ["branin"] = [0.884, 0.181, 0.137, 1.129, 0.457, 0.708],
        ["hartmann6"] = [1.286, 0.277, 0.181, 0.245, 0.665, 1.389],
        ["rosenbrock5"] = [3110, 120.2, 168.6, 120.2, 544.1, 3179],
        ["ackley5"] = [17.11, 7.93, 9.04, 6.20, 11.51, 16.70],
        ["tuning_like"] = [0.0516, 0.00065, 0.00126, 0.0137, 0.0096, 0.0491],
    };

    /// <summary>Gets the reference GP-BO's median final regret, by function.</summary>
    public static IReadOnlyDictionary<string, double> ReferenceGpRegret { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["branin"] = 1.2e-6,
        ["hartmann6"] = 0.119,
        ["rosenbrock5"] = 119.7,
        ["ackley5"] = 3.77,
        ["tuning_like"] = 1.25e-4,
    };

    /// <summary>Gets the Optuna sampler that corresponds to an Hpo tuner, for the comparison column, or <see langword="null"/>.</summary>
    /// <param name="tuner">The Hpo tuner's registered name.</param>
    /// <returns>The column name in <see cref="Samplers"/>, or <see langword="null"/> when there is no direct peer.</returns>
    public static string? PeerOf(string tuner) => tuner.ToUpperInvariant() switch
    {
        "RANDOM" => "Random",
        "GA" or "GENETIC" => "NSGA-II",
        _ => null,
    };
}
