using System.Globalization;
using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>
/// Which trials a <see cref="TrialQuery"/> lets through: every condition set must hold (they are joined by AND). An empty filter
/// lets every trial through.
/// </summary>
public sealed record TrialFilter
{
    /// <summary>Gets the filter that lets every trial through.</summary>
    public static TrialFilter None { get; } = new();

    /// <summary>Gets the states let through, or <see langword="null"/> for every state.</summary>
    public IReadOnlySet<TrialState>? States { get; init; }

    /// <summary>Gets the range of the (first) value, or <see langword="null"/>; a trial without a finite value never passes a range.</summary>
    public ValueRange? Value { get; init; }

    /// <summary>Gets the range of the duration in seconds (finished minus started), or <see langword="null"/>; an unfinished trial never passes a range.</summary>
    public ValueRange? DurationSeconds { get; init; }

    /// <summary>
    /// Gets ranges of numeric (float and integer) parameters by name; a trial without the parameter (a conditional one whose
    /// condition did not hold) never passes a range.
    /// </summary>
    public IReadOnlyDictionary<string, ValueRange> Parameters { get; init; } = new Dictionary<string, ValueRange>(StringComparer.Ordinal);

    /// <summary>Gets, by name, the choices of categorical parameters let through; a trial without the parameter never passes.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<object>> Choices { get; init; } = new Dictionary<string, IReadOnlyList<object>>(StringComparer.Ordinal);

    /// <summary>
    /// Gets a text that the trial's owner or failure reason must contain (ignoring the case of ASCII letters), or that equals the
    /// trial's number; <see langword="null"/> for none.
    /// </summary>
    public string? Text { get; init; }

    /// <summary>Gets a value indicating whether the filter lets every trial through.</summary>
    public bool IsEmpty => States is null && Value is null && DurationSeconds is null && Parameters.Count == 0 && Choices.Count == 0 && string.IsNullOrEmpty(Text);

    /// <summary>Determines whether a trial passes the filter (the reference every storage's query agrees with).</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="definition">The study's definition (for the parameters' distributions).</param>
    /// <returns><see langword="true"/> if every condition holds.</returns>
    public bool Matches(TrialRecord trial, StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(definition);
        if (States is not null && !States.Contains(trial.State))
        {
            return false;
        }

        if (Value is not null && !Value.Contains(TrialQuery.FiniteValue(trial)))
        {
            return false;
        }

        if (DurationSeconds is not null && !DurationSeconds.Contains(trial.Duration?.TotalSeconds))
        {
            return false;
        }

        foreach ((string name, ValueRange range) in Parameters)
        {
            if (!range.Contains(TrialQuery.ParameterKey(trial, definition.SearchSpace[name])))
            {
                return false;
            }
        }

        foreach ((string name, IReadOnlyList<object> choices) in Choices)
        {
            SearchSpaces.SearchParameter p = definition.SearchSpace[name];
            if (TrialQuery.ParameterKey(trial, p) is not double index || !choices.Any(c => p.Distribution.ToInternal(c) == index))
            {
                return false;
            }
        }

        return string.IsNullOrEmpty(Text) || MatchesText(trial, Text);
    }

    private static bool MatchesText(TrialRecord trial, string text) =>
        ContainsAsciiIgnoreCase(trial.Owner, text) || ContainsAsciiIgnoreCase(trial.FailReason, text)
        || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n == trial.Number);

    /// <summary>Substring search that folds only ASCII letters, as SQL's LIKE does in SQLite.</summary>
    private static bool ContainsAsciiIgnoreCase(string? haystack, string needle)
    {
        if (haystack is null || needle.Length > haystack.Length)
        {
            return false;
        }

        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int k = 0;
            while (k < needle.Length && Fold(haystack[i + k]) == Fold(needle[k]))
            {
                k++;
            }

            if (k == needle.Length)
            {
                return true;
            }
        }

        return false;
    }

    private static char Fold(char c) => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
}
