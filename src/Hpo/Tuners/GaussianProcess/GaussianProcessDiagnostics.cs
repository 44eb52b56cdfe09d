using System.Globalization;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Switches that turn single parts of the GP tuner's design on or off, so that a benchmark can measure what each part
/// contributes (issue 13's diagnosis); the defaults are the shipped design. Not part of the public options.
/// </summary>
internal sealed record GaussianProcessDiagnostics
{
    /// <summary>Gets the shipped design.</summary>
    public static GaussianProcessDiagnostics Default { get; } = new();

    /// <summary>Gets the output transforms the data choose from; <see langword="null"/> for the shipped set (none and the warp).</summary>
    public IReadOnlyList<TargetTransform>? Transforms { get; init; }

    /// <summary>Gets a value indicating whether the acquisition averages the transforms' models by their evidence instead of using the best one.</summary>
    public bool Average { get; init; } = true;

    /// <summary>Gets a value indicating whether the acquisition search is bounded by the trust region.</summary>
    public bool TrustRegion { get; init; } = true;

    /// <summary>Gets a callback told, at each model-based proposal, what the proposal was made from (<see cref="GpProposalTrace"/>).</summary>
    public Action<GpProposalTrace>? OnProposal { get; init; }

    /// <summary>
    /// Parses a specification such as <c>transform=none+warp;average=off;trust=off</c> (any subset, any order).
    /// </summary>
    /// <param name="spec">The specification; empty for the defaults.</param>
    /// <returns>The switches.</returns>
    /// <exception cref="ArgumentException">A key or value is unknown.</exception>
    public static GaussianProcessDiagnostics Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        GaussianProcessDiagnostics result = Default;
        foreach (string part in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            string key = kv[0].ToLowerInvariant();
            string value = kv.Length == 2 ? kv[1].ToLowerInvariant() : string.Empty;
            result = key switch
            {
                "transform" => result with { Transforms = value == "auto" ? null : [.. value.Split('+').Select(ParseTransform)] },
                "average" => result with { Average = OnOff(key, value) },
                "trust" => result with { TrustRegion = OnOff(key, value) },
                _ => throw new ArgumentException($"GP diagnostics: unknown switch '{key}' (known: transform, average, trust).", nameof(spec)),
            };
        }

        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"transform={(Transforms is null ? "auto" : string.Join('+', Transforms).ToLowerInvariant())};trust={(TrustRegion ? "on" : "off")};average={(Average ? "on" : "off")}");

    private static TargetTransform ParseTransform(string value) => value switch
    {
        "none" => TargetTransform.None,
        "warp" => TargetTransform.Warp,
        "copula" => TargetTransform.Copula,
        _ => throw new ArgumentException($"GP diagnostics: transform must be auto or a '+'-separated list of none, warp and copula, but got '{value}'.", nameof(value)),
    };

    private static bool OnOff(string key, string value) => value switch
    {
        "on" => true,
        "off" => false,
        _ => throw new ArgumentException($"GP diagnostics: {key} must be on or off, but got '{value}'.", nameof(value)),
    };
}

/// <summary>What one model-based proposal of the GP tuner was made from, for a diagnosis log.</summary>
/// <param name="Trial">The trial number proposed for.</param>
/// <param name="Transform">The output transform of the model with the largest weight.</param>
/// <param name="RegionLength">The trust region's side before its lengthscale shape (unit cube); 0 when the whole box was searched.</param>
/// <param name="Centre">The region's centre (the incumbent), in the unit cube.</param>
/// <param name="LogLengthscales">The fitted log lengthscales of the model with the largest weight.</param>
/// <param name="Proposal">The proposed point, in the unit cube.</param>
internal sealed record GpProposalTrace(int Trial, TargetTransform Transform, double RegionLength, double[] Centre, double[] LogLengthscales, double[] Proposal);
