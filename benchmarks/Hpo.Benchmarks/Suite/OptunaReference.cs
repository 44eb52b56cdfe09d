namespace Hpo.Benchmarks.Suite;

/// <summary>
/// Optuna 3.1.0's median final regret on this suite — over seeds 0..9 for the five original functions, as published in the
/// suite's README, and over seeds 10..39 for the six added ones, measured with <c>benchmarks/optuna/run_optuna.py</c> (on
/// <c>styblinski_tang20</c>: TPE over 22 seeds, multivariate TPE, CMA-ES, NSGA-II and QMC over 10) — and the
/// reference GP-BO's (the peer figures every claim is compared with).
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
        ["hartmann3"] = [0.401, 0.07367, 0.05371, 0.1264, 0.2823, 0.3142],
        ["levy10"] = [25.26, 7.057, 6.54, 2.052, 7.67, 1.443],
        ["ackley_mixed"] = [4.569, 2.521, 2.819, 2.548, 3.122, 3.338],
        ["shekel10"] = [9.413, 7.316, 8.029, 7.487, 9.176, 9.532],
        ["styblinski_tang20"] = [383.2, 269.9, 317.4, 298.6, 190.5, 161.4],
        ["hartmann6_noisy"] = [1.057, 0.2909, 0.2953, 0.3544, 0.6972, 1.19],
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
