using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hpo.Studies;

namespace Hpo.Tuners.SimulatedAnnealing;

/// <summary>Options of <see cref="SimulatedAnnealingTuner"/>.</summary>
public sealed class SimulatedAnnealingTunerOptions
{
    /// <summary>
    /// Gets or sets the temperature at the start of the schedule, in standardized units: an uphill move as large as the typical
    /// spread of recent objective values is accepted with probability exp(-1 / temperature).
    /// </summary>
    /// <value>The default value is 1.0.</value>
    public double InitialTemperature { get; set; } = AnnealingDefaults.InitialTemperature;

    /// <summary>Gets or sets the temperature at the end of the schedule (the study's budget), in the same units.</summary>
    /// <value>The default value is 0.01.</value>
    public double FinalTemperature { get; set; } = AnnealingDefaults.FinalTemperature;

    /// <summary>Gets or sets how the temperature falls over the schedule.</summary>
    /// <value>The default value is <see cref="AnnealingSchedule.Exponential"/>.</value>
    [JsonConverter(typeof(ScheduleNameConverter))]
    public AnnealingSchedule Schedule { get; set; } = AnnealingDefaults.Schedule;

    /// <summary>
    /// Gets or sets the length, in trials, of one cooling schedule when the study has no budget; the temperature is raised again
    /// after each such cycle.
    /// </summary>
    /// <value>The default value is 100.</value>
    public int OpenEndedCycle { get; set; } = AnnealingDefaults.OpenEndedCycle;

    /// <summary>
    /// Gets or sets the standard deviation of a neighbour's step along each numeric parameter at the start of the schedule, as a
    /// fraction of the parameter's range (in its unit-cube encoding, so in log space for log-scaled parameters).
    /// </summary>
    /// <value>The default value is 0.2.</value>
    public double StepScale { get; set; } = AnnealingDefaults.StepScale;

    /// <summary>Gets or sets the number of initial trials drawn at random from the seed; the best of them is the first current point.</summary>
    /// <value>The default value is 5.</value>
    public int InitialTrials { get; set; } = AnnealingDefaults.InitialTrials;

    /// <summary>
    /// Gets or sets the number of finished trials without a new best after which the chain restarts from the best point, or
    /// <see langword="null"/> for three times the number of parameters (at least 10); 0 disables restarts.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? RestartPatience { get; set; }

    /// <summary>Gets or sets a seed that replaces the study's seed for this tuner's randomness, or <see langword="null"/> to use the study's.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Seed { get; set; }

    internal void Validate()
    {
        var problems = new List<string>();
        if (!(InitialTemperature > 0.0 && double.IsFinite(InitialTemperature)))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"InitialTemperature must be a positive finite number, but got {InitialTemperature}."));
        }

        if (!(FinalTemperature > 0.0 && double.IsFinite(FinalTemperature)))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"FinalTemperature must be a positive finite number, but got {FinalTemperature}."));
        }
        else if (InitialTemperature > 0.0 && FinalTemperature > InitialTemperature)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"FinalTemperature must not exceed InitialTemperature ({InitialTemperature}), but got {FinalTemperature}."));
        }

        if (!Enum.IsDefined(Schedule))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Schedule must be Exponential or Linear, but got {(int)Schedule}."));
        }

        if (OpenEndedCycle < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"OpenEndedCycle must be at least 1, but got {OpenEndedCycle}."));
        }

        if (!(StepScale > 0.0 && StepScale <= 1.0))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"StepScale must be greater than 0 and at most 1, but got {StepScale}."));
        }

        if (InitialTrials < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"InitialTrials must be at least 1, but got {InitialTrials}."));
        }

        if (RestartPatience is int p && p < 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"RestartPatience must be 0 (no restarts), positive, or null (automatic), but got {p}."));
        }

        OptionsValidation.ThrowIfAny(nameof(SimulatedAnnealingTunerOptions), problems);
    }

    // The tuner keeps its own copy, taken at construction: changing the caller's object afterwards has no effect.
    internal SimulatedAnnealingTunerOptions Clone() => (SimulatedAnnealingTunerOptions)MemberwiseClone();

    // The settings JSON is this class itself: every public property, in declaration order (the schedule by name); an absent one
    // keeps its default.
    internal string ToJson() => JsonSerializer.Serialize(this);

    internal static SimulatedAnnealingTunerOptions FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<SimulatedAnnealingTunerOptions>(json) ?? new();
        }
        catch (JsonException e) when (e.InnerException is FormatException bad)
        {
            throw new ArgumentException(bad.Message, nameof(json), e);
        }
    }

    /// <summary>Writes a schedule as its name and reads a name in any case, refusing one that names no schedule.</summary>
    private sealed class ScheduleNameConverter : JsonConverter<AnnealingSchedule>
    {
        public override AnnealingSchedule Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            return name is not null && Enum.TryParse(name, ignoreCase: true, out AnnealingSchedule schedule) && Enum.IsDefined(schedule) && !int.TryParse(name, out _)
                ? schedule
                : throw new JsonException(null, new FormatException($"The stored setting Schedule must be Exponential or Linear, but got '{name ?? reader.TokenType.ToString()}'."));
        }

        public override void Write(Utf8JsonWriter writer, AnnealingSchedule value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}

/// <summary>The defaults of <see cref="SimulatedAnnealingTunerOptions"/>.</summary>
internal static class AnnealingDefaults
{
    public const double InitialTemperature = 1.0;
    public const double FinalTemperature = 0.01;
    public const AnnealingSchedule Schedule = AnnealingSchedule.Exponential;
    public const int OpenEndedCycle = 100;
    public const double StepScale = 0.2;
    public const int InitialTrials = 5;
}
