using System.Globalization;
using System.Text.Json;
using Hpo.Studies;

namespace Hpo.Tuners.Genetic;

/// <summary>Options of <see cref="GeneticTuner"/>.</summary>
public sealed class GeneticTunerOptions
{
    /// <summary>Gets or sets the population size: the number of random initial trials, and how many of the best finished trials breed.</summary>
    /// <value>The default value is 10.</value>
    public int PopulationSize { get; set; } = GeneticDefaults.PopulationSize;

    /// <summary>Gets or sets the number of population members drawn (with replacement) for each selection tournament; the best of them is a parent.</summary>
    /// <value>The default value is 3.</value>
    public int TournamentSize { get; set; } = GeneticDefaults.TournamentSize;

    /// <summary>Gets or sets the probability that a child is bred by crossover of two parents rather than copied from one.</summary>
    /// <value>The default value is 0.9.</value>
    public double CrossoverRate { get; set; } = GeneticDefaults.CrossoverRate;

    /// <summary>Gets or sets the probability that each active parameter of a child is mutated.</summary>
    /// <value>The default value is 0.5.</value>
    public double MutationRate { get; set; } = GeneticDefaults.MutationRate;

    /// <summary>
    /// Gets or sets the scale of a numeric mutation, relative to the spread of the population along that parameter.
    /// </summary>
    /// <value>The default value is 1.0.</value>
    public double MutationScale { get; set; } = GeneticDefaults.MutationScale;

    /// <summary>Gets or sets a seed that replaces the study's seed for this tuner's randomness, or <see langword="null"/> to use the study's.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Seed { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (PopulationSize < 2)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"PopulationSize must be at least 2, but got {PopulationSize}."));
        }

        if (TournamentSize < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"TournamentSize must be at least 1, but got {TournamentSize}."));
        }
        else if (PopulationSize >= 2 && TournamentSize > PopulationSize)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"TournamentSize must not exceed PopulationSize ({PopulationSize}), but got {TournamentSize}."));
        }

        if (!(CrossoverRate >= 0.0 && CrossoverRate <= 1.0))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"CrossoverRate must be between 0 and 1, but got {CrossoverRate}."));
        }

        if (!(MutationRate >= 0.0 && MutationRate <= 1.0))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"MutationRate must be between 0 and 1, but got {MutationRate}."));
        }

        if (!(MutationScale > 0.0 && double.IsFinite(MutationScale)))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"MutationScale must be a positive finite number, but got {MutationScale}."));
        }

        OptionsValidation.ThrowIfAny(nameof(GeneticTunerOptions), problems);
    }

    // The tuner keeps its own copy, taken at construction: changing the caller's object afterwards has no effect.
    internal GeneticTunerOptions Clone() => (GeneticTunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order; an absent one keeps its default.
    internal string ToJson() => JsonSerializer.Serialize(this);

    internal static GeneticTunerOptions FromJson(string json) => JsonSerializer.Deserialize<GeneticTunerOptions>(json) ?? new();
}

/// <summary>The defaults of <see cref="GeneticTunerOptions"/>.</summary>
internal static class GeneticDefaults
{
    public const int PopulationSize = 10;
    public const int TournamentSize = 3;
    public const double CrossoverRate = 0.9;
    public const double MutationRate = 0.5;
    public const double MutationScale = 1.0;
}
