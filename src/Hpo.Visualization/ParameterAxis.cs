using System.Globalization;
using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Visualization;

/// <summary>
/// How a plot places one parameter on an axis: a number for float and integer parameters (on a log scale when the parameter is
/// logarithmic), the index of the choice for a categorical one.
/// </summary>
public sealed record ParameterAxis
{
    /// <summary>Gets the parameter's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the parameter's kind.</summary>
    public required ParameterKind Kind { get; init; }

    /// <summary>Gets the lowest value (for a categorical parameter, 0).</summary>
    public required double Low { get; init; }

    /// <summary>Gets the highest value (for a categorical parameter, the last choice's index).</summary>
    public required double High { get; init; }

    /// <summary>Gets a value indicating whether the axis is logarithmic.</summary>
    public bool Log { get; init; }

    /// <summary>Gets the labels of a categorical parameter's choices, by index; empty for a numeric parameter.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Gets a value indicating whether the parameter is categorical.</summary>
    public bool IsCategorical => Kind == ParameterKind.Categorical;

    /// <summary>Gets a value indicating whether the parameter is conditional (absent from some trials).</summary>
    public bool IsConditional { get; init; }

    /// <summary>Creates the axis of a search-space parameter.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <returns>The axis.</returns>
    public static ParameterAxis For(SearchParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return parameter.Distribution switch
        {
            FloatDistribution f => new ParameterAxis { Name = parameter.Name, Kind = ParameterKind.Float, Low = f.Low, High = f.High, Log = f.Log, IsConditional = parameter.Condition is not null },
            IntDistribution i => new ParameterAxis { Name = parameter.Name, Kind = ParameterKind.Int, Low = i.Low, High = i.High, Log = i.Log, IsConditional = parameter.Condition is not null },
            CategoricalDistribution c => new ParameterAxis
            {
                Name = parameter.Name,
                Kind = ParameterKind.Categorical,
                Low = 0,
                High = c.Choices.Count - 1,
                Categories = [.. c.Choices.Select(Label)],
                IsConditional = parameter.Condition is not null,
            },
            _ => throw new ArgumentException($"Parameter '{parameter.Name}' has a distribution of an unknown kind ({parameter.Distribution}).", nameof(parameter)),
        };
    }

    /// <summary>Formats a parameter value for display (invariant culture, booleans in lower case).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string Label(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>
    /// Gets a trial's value on this axis: the number itself for a numeric parameter, the choice's index for a categorical one, or
    /// <see langword="null"/> when the trial does not have the parameter (a conditional parameter whose condition did not hold).
    /// </summary>
    /// <param name="trial">The trial.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public double? ValueOf(TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (!trial.Parameters.TryGetValue(Name, out object? raw) || raw is null)
        {
            return null;
        }

        if (IsCategorical)
        {
            string label = Label(raw);
            for (int i = 0; i < Categories.Count; i++)
            {
                if (Categories[i] == label)
                {
                    return i;
                }
            }

            return null;
        }

        double v = raw switch
        {
            double d => d,
            float f => f,
            long l => l,
            int n => n,
            decimal m => (double)m,
            _ => double.NaN,
        };
        return double.IsFinite(v) ? v : null;
    }

    /// <summary>
    /// Maps a value of this axis to a linear coordinate: the natural logarithm on a log axis, the value itself otherwise (the
    /// scale on which parameter importance and contours are computed).
    /// </summary>
    /// <param name="value">A value from <see cref="ValueOf"/>.</param>
    /// <returns>The coordinate.</returns>
    public double ToLinear(double value) => Log ? Math.Log(value) : value;

    /// <summary>Gets the range of linear coordinates: categorical choices occupy unit cells centred on their indexes.</summary>
    /// <returns>The low and high ends.</returns>
    public (double Low, double High) LinearRange() =>
        IsCategorical ? (-0.5, High + 0.5) : (ToLinear(Low), ToLinear(High));

    /// <summary>Maps a value to [0, 1] across the axis's range (0.5 when the range is a single point).</summary>
    /// <param name="value">A value from <see cref="ValueOf"/>.</param>
    /// <returns>The position.</returns>
    public double Normalize(double value)
    {
        double lo = ToLinear(Low);
        double hi = ToLinear(High);
        return hi > lo ? Math.Clamp((ToLinear(value) - lo) / (hi - lo), 0, 1) : 0.5;
    }
}
