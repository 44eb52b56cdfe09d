using System.Text.Json;
using Hpo.Studies;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>Options of <see cref="GaussianProcessTuner"/>. The defaults are one configuration for every problem.</summary>
public sealed class GaussianProcessTunerOptions
{
    /// <summary>
    /// Gets or sets the number of observations gathered by the space-filling startup design (the centre of the space at
    /// trial 0, then a scrambled Sobol sequence) before the Gaussian process takes over.
    /// </summary>
    /// <value>The default value is 10. At least 1 (the model needs one observation), at most 10,000.</value>
    public int StartupTrials { get; set; } = GaussianProcessTunerDefaults.StartupTrials;

    /// <summary>Gets or sets the number of quasi-random (Sobol) candidates scored before the acquisition is refined.</summary>
    /// <value>The default value is 2,048. From 16 to 1,000,000.</value>
    public int Candidates { get; set; } = GaussianProcessTunerDefaults.Candidates;

    /// <summary>Gets or sets the number of best candidates refined by L-BFGS-B and coordinate search (the incumbent is always refined too).</summary>
    /// <value>The default value is 5. From 1 to 1,000.</value>
    public int Restarts { get; set; } = GaussianProcessTunerDefaults.Restarts;

    /// <summary>
    /// Gets or sets a seed that replaces the study's seed for this tuner's randomness; <see langword="null"/> to use the
    /// study's seed (the usual choice: proposals then follow the study).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Seed { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the objective is deterministic (the same parameters always give the same
    /// value), which lowers the floor of the model's noise variance from 1e-10 to 1e-12 of the output variance.
    /// </summary>
    /// <value>
    /// The default value is <see langword="false"/>. The noise term is fitted either way (a broad prior lets the data decide),
    /// so the default also suits deterministic objectives; the switch only allows an even more exact interpolation.
    /// </value>
    public bool DeterministicObjective { get; set; }

    /// <summary>Checks the options and throws one exception listing every problem.</summary>
    /// <exception cref="ArgumentException">At least one option is out of range; the message lists each problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (StartupTrials is < 1 or > 10_000)
        {
            problems.Add($"StartupTrials must be between 1 and 10000, but got {StartupTrials}.");
        }

        if (Candidates is < 16 or > 1_000_000)
        {
            problems.Add($"Candidates must be between 16 and 1000000, but got {Candidates}.");
        }

        if (Restarts is < 1 or > 1_000)
        {
            problems.Add($"Restarts must be between 1 and 1000, but got {Restarts}.");
        }

        OptionsValidation.ThrowIfAny(nameof(GaussianProcessTunerOptions), problems);
    }

    /// <summary>Gets or sets the design switches used to diagnose the tuner (benchmarks and tests only; never serialized).</summary>
    internal GaussianProcessDiagnostics Diagnostics { get; set; } = GaussianProcessDiagnostics.Default;

    internal GaussianProcessTunerOptions Clone() => (GaussianProcessTunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => JsonSerializer.Serialize(this);

    internal static GaussianProcessTunerOptions FromJson(string json) => JsonSerializer.Deserialize<GaussianProcessTunerOptions>(json) ?? new();
}

/// <summary>The default values of <see cref="GaussianProcessTunerOptions"/>.</summary>
internal static class GaussianProcessTunerDefaults
{
    public const int StartupTrials = 10;
    public const int Candidates = 2048;
    public const int Restarts = 5;
}
