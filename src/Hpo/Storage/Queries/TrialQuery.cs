using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>
/// A page of a study's trials to read: a <see cref="TrialFilter"/>, a sort, then an offset and a limit. Run it with
/// <see cref="IStudyQueryStorage.QueryTrialsAsync"/> (<see cref="StudyQueries.AsQueryStorage(IStudyStorage)"/> gives one for any
/// storage), or over trials already in memory with <see cref="Apply"/>.
/// </summary>
/// <remarks>
/// Order: the sort key, ascending or descending; trials without a key (no finite value, not finished, without a conditional
/// parameter) after all others whichever the direction; ties by number, ascending. Added in 0.3.
/// </remarks>
public sealed record TrialQuery
{
    /// <summary>The largest <see cref="Limit"/>.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Gets the filter.</summary>
    /// <value>The default value is <see cref="TrialFilter.None"/>.</value>
    public TrialFilter Filter { get; init; } = TrialFilter.None;

    /// <summary>Gets the column to sort by.</summary>
    /// <value>The default value is <see cref="TrialSortColumn.Number"/>.</value>
    public TrialSortColumn Sort { get; init; } = TrialSortColumn.Number;

    /// <summary>Gets the parameter to sort by when <see cref="Sort"/> is <see cref="TrialSortColumn.Parameter"/>.</summary>
    public string? SortParameter { get; init; }

    /// <summary>Gets a value indicating whether the sort is descending.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Descending { get; init; }

    /// <summary>Gets how many matching trials to skip.</summary>
    /// <value>The default value is 0.</value>
    public int Offset { get; init; }

    /// <summary>Gets the most trials to return, from 1 to <see cref="MaxLimit"/>.</summary>
    /// <value>The default value is 50.</value>
    public int Limit { get; init; } = 50;

    /// <summary>Checks the query against a study: the page's bounds, and every parameter it names exists with the right kind.</summary>
    /// <param name="definition">The study's definition.</param>
    /// <exception cref="ArgumentException">A field is invalid; the message names it, the rule and the value.</exception>
    public void Validate(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Offset < 0)
        {
            throw new ArgumentException($"'offset' must be 0 or more, but got {Offset}.", "offset");
        }

        if (Limit is < 1 or > MaxLimit)
        {
            throw new ArgumentException($"'limit' must be from 1 to {MaxLimit}, but got {Limit}.", "limit");
        }

        SearchSpace space = definition.SearchSpace;
        if (Sort == TrialSortColumn.Parameter && (SortParameter is null || space.IndexOf(SortParameter) < 0))
        {
            throw new ArgumentException($"'sort' by a parameter must name one of {Names(space)}, but got '{SortParameter}'.", "sort");
        }

        if (!Enum.IsDefined(Sort))
        {
            throw new ArgumentException($"'sort' must be one of {string.Join(", ", Enum.GetNames<TrialSortColumn>())}, but got {(int)Sort}.", "sort");
        }

        Filter.Value?.Validate("value");
        Filter.DurationSeconds?.Validate("duration");
        foreach ((string name, ValueRange range) in Filter.Parameters)
        {
            string field = "param:" + name;
            if (space.IndexOf(name) < 0)
            {
                throw new ArgumentException($"Filter '{field}' must name one of the study's parameters ({Names(space)}), but got '{name}'.", field);
            }

            if (space[name].Distribution is CategoricalDistribution)
            {
                throw new ArgumentException($"Filter '{field}' is a range, which needs a float or integer parameter, but '{name}' is categorical: filter it by its choices instead.", field);
            }

            range.Validate(field);
        }

        foreach ((string name, IReadOnlyList<object> choices) in Filter.Choices)
        {
            string field = "param:" + name;
            if (space.IndexOf(name) < 0 || space[name].Distribution is not CategoricalDistribution categorical)
            {
                throw new ArgumentException($"Filter '{field}' by choices must name a categorical parameter of the study, but got '{name}'.", field);
            }

            if (choices.Count == 0)
            {
                throw new ArgumentException($"Filter '{field}' must list at least one choice of {categorical}.", field);
            }

            foreach (object choice in choices)
            {
                if (categorical.IndexOf(choice) < 0)
                {
                    throw new ArgumentException($"Filter '{field}' must list choices of {categorical}, but got '{choice}'.", field);
                }
            }
        }
    }

    /// <summary>Runs the query over trials in memory: the reference that every <see cref="IStudyQueryStorage"/> agrees with.</summary>
    /// <param name="definition">The study's definition.</param>
    /// <param name="trials">Every trial of the study.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException">The query is invalid for the study (see <see cref="Validate"/>).</exception>
    public TrialPage Apply(StudyDefinition definition, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        Validate(definition);
        List<TrialRecord> matched = Filter.IsEmpty ? [.. trials] : [.. trials.Where(t => Filter.Matches(t, definition))];
        int[] order = Order(definition, matched);
        var page = new List<TrialRecord>(Math.Min(Limit, Math.Max(0, matched.Count - Offset)));
        for (int i = Offset; i < order.Length && page.Count < Limit; i++)
        {
            page.Add(matched[order[i]]);
        }

        return new TrialPage(trials.Count, matched.Count, page);
    }

    /// <summary>Sorts trials by this query's sort (its filter and page are not applied).</summary>
    /// <param name="definition">The study's definition.</param>
    /// <param name="trials">The trials.</param>
    /// <returns>The indexes of <paramref name="trials"/> in sorted order.</returns>
    public int[] Order(StudyDefinition definition, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trials);
        int[] index = [.. Enumerable.Range(0, trials.Count)];
        int sign = Descending ? -1 : 1;
        if (Sort == TrialSortColumn.Owner)
        {
            string[] owners = [.. trials.Select(t => t.Owner ?? string.Empty)];
            Array.Sort(index, (a, b) =>
            {
                int c = string.CompareOrdinal(owners[a], owners[b]);
                return c != 0 ? sign * c : trials[a].Number.CompareTo(trials[b].Number);
            });
            return index;
        }

        if (Sort is TrialSortColumn.Started or TrialSortColumn.Finished)
        {
            // Times compare as whole ticks: a double holds only about 53 bits, so ticks as doubles would tie times ~13 µs apart
            // that a database (microseconds) orders.
            long?[] times = [.. trials.Select(t => (Sort == TrialSortColumn.Started ? t.StartedAt : t.FinishedAt)?.UtcTicks)];
            return SortByKeys(index, times, trials, sign);
        }

        SearchParameter? parameter = Sort == TrialSortColumn.Parameter ? definition.SearchSpace[SortParameter!] : null;
        double?[] keys = [.. trials.Select(t => Key(t, parameter))];
        return SortByKeys(index, keys, trials, sign);
    }

    /// <summary>Sorts by the keys (absent keys last whatever the direction), ties by trial number ascending, as the SQL storages do.</summary>
    private static int[] SortByKeys<T>(int[] index, T?[] keys, IReadOnlyList<TrialRecord> trials, int sign)
        where T : struct, IComparable<T>
    {
        Array.Sort(index, (a, b) =>
        {
            T? x = keys[a], y = keys[b];
            if (x is null || y is null)
            {
                return x is null && y is null ? trials[a].Number.CompareTo(trials[b].Number) : x is null ? 1 : -1;
            }

            int c = x.Value.CompareTo(y.Value);
            return c != 0 ? sign * c : trials[a].Number.CompareTo(trials[b].Number);
        });
        return index;
    }

    /// <summary>Gets a trial's first value when it is finite.</summary>
    internal static double? FiniteValue(TrialRecord t) => t.Value is double v && double.IsFinite(v) ? v : null;

    /// <summary>Gets a trial's stored (internal) value of a parameter: the number, or the choice's index; <see langword="null"/> when absent.</summary>
    internal static double? ParameterKey(TrialRecord t, SearchParameter p) =>
        t.Parameters.TryGetValue(p.Name, out object? v) && v is not null ? p.Distribution.ToInternal(v) : null;

    private static string Names(SearchSpace space) => string.Join(", ", space.Parameters.Select(p => p.Name));

    private double? Key(TrialRecord t, SearchParameter? parameter) => Sort switch
    {
        TrialSortColumn.Number => t.Number,
        TrialSortColumn.State => (int)t.State,
        TrialSortColumn.Value => FiniteValue(t),
        TrialSortColumn.Duration => t.Duration?.TotalSeconds,
        TrialSortColumn.Started => t.StartedAt?.UtcTicks,
        TrialSortColumn.Finished => t.FinishedAt?.UtcTicks,
        _ => ParameterKey(t, parameter!),
    };
}
