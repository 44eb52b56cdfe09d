using System.Globalization;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;
using Hpo.Visualization;

namespace Hpo.Dashboard;

/// <summary>
/// The trials table's query string, read into a <see cref="TrialQuery"/> (filter, sort, page), and run on a study's view in memory
/// (the same answers as the storage's <see cref="IStudyQueryStorage"/>, which serves it while the view is still being read).
/// </summary>
internal static class TrialTableQuery
{
    /// <summary>The columns the table sorts by, besides <c>param:NAME</c>.</summary>
    public static readonly string[] SortColumns = ["number", "state", "value", "duration", "started", "finished", "owner"];

    private static readonly string[] Keys = ["offset", "limit", "sort", "order", "state", "q", "value", "duration"];

    /// <summary>
    /// Reads a query: <c>offset</c>, <c>limit</c>, <c>sort</c> (a column or <c>param:NAME</c>), <c>order</c> (asc|desc), <c>state</c>
    /// (comma-separated), <c>q</c> (worker, reason or number), <c>value=MIN..MAX</c>, <c>duration=MIN..MAX</c> (seconds),
    /// <c>param:NAME=MIN..MAX</c> for a numeric parameter and <c>param:NAME=CHOICE,CHOICE</c> for a categorical one.
    /// </summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names it, the rule and the value.</exception>
    public static TrialQuery Parse(IEnumerable<KeyValuePair<string, string?>> fields, int maxPageSize, StudyDefinition definition)
    {
        var get = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach ((string key, string? value) in fields)
        {
            if (!Keys.Contains(key, StringComparer.Ordinal) && !key.StartsWith("param:", StringComparison.Ordinal) && key != "_")
            {
                throw new ArgumentException($"Query parameter '{key}' is not known; the trials take {string.Join(", ", Keys)} and param:NAME.", key);
            }

            get[key] = value;
        }

        SearchSpace space = definition.SearchSpace;
        string Names() => string.Join(", ", space.Parameters.Select(p => p.Name));
        int offset = Int(get, "offset", 0, 0, int.MaxValue);
        int limit = Int(get, "limit", 50, 1, Math.Min(maxPageSize, TrialQuery.MaxLimit));
        string sortText = get.GetValueOrDefault("sort") is { Length: > 0 } s ? s : "number";
        TrialSortColumn sort;
        string? sortParameter = null;
        if (sortText.StartsWith("param:", StringComparison.Ordinal) && space.IndexOf(sortText[6..]) >= 0)
        {
            sort = TrialSortColumn.Parameter;
            sortParameter = sortText[6..];
        }
        else if (SortColumns.Contains(sortText, StringComparer.Ordinal))
        {
            sort = Enum.Parse<TrialSortColumn>(sortText, ignoreCase: true);
        }
        else
        {
            throw new ArgumentException($"Query parameter 'sort' must be one of {string.Join(", ", SortColumns)} or param:NAME with NAME one of {Names()}, but got '{sortText}'.", "sort");
        }

        string? order = get.GetValueOrDefault("order");
        if (order is not (null or "" or "asc" or "desc"))
        {
            throw new ArgumentException($"Query parameter 'order' must be asc or desc, but got '{order}'.", "order");
        }

        HashSet<TrialState>? states = null;
        if (get.GetValueOrDefault("state") is { Length: > 0 } stateText)
        {
            states = [];
            foreach (string part in stateText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Enum.TryParse(part, ignoreCase: true, out TrialState state) || !Enum.IsDefined(state) || int.TryParse(part, out _))
                {
                    throw new ArgumentException($"Query parameter 'state' must be a comma-separated list of waiting, running, complete, pruned, failed, stale, but got '{part}'.", "state");
                }

                states.Add(state);
            }
        }

        var ranges = new Dictionary<string, ValueRange>(StringComparer.Ordinal);
        var choices = new Dictionary<string, IReadOnlyList<object>>(StringComparer.Ordinal);
        foreach ((string key, string? value) in get)
        {
            if (!key.StartsWith("param:", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            string name = key[6..];
            if (space.IndexOf(name) < 0)
            {
                throw new ArgumentException($"Query parameter '{key}' must name one of the study's parameters ({Names()}), but '{name}' is not one.", key);
            }

            if (space[name].Distribution is CategoricalDistribution categorical)
            {
                var picked = new List<object>();
                string[] labels = [.. categorical.Choices.Select(ParameterAxis.Label)];
                foreach (string label in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    int i = Array.IndexOf(labels, label);
                    picked.Add(i >= 0 ? categorical.Choices[i] : throw new ArgumentException($"Query parameter '{key}' must be a comma-separated list of {string.Join(", ", labels)}, but got '{label}'.", key));
                }

                choices[name] = picked;
            }
            else
            {
                ranges[name] = ValueRange.Parse(value, key);
            }
        }

        string? text = get.GetValueOrDefault("q")?.Trim();
        var query = new TrialQuery
        {
            Offset = offset,
            Limit = limit,
            Sort = sort,
            SortParameter = sortParameter,
            Descending = order == "desc",
            Filter = new TrialFilter
            {
                States = states,
                Text = string.IsNullOrEmpty(text) ? null : text,
                Value = get.GetValueOrDefault("value") is { Length: > 0 } v ? ValueRange.Parse(v, "value") : null,
                DurationSeconds = get.GetValueOrDefault("duration") is { Length: > 0 } d ? ValueRange.Parse(d, "duration") : null,
                Parameters = ranges,
                Choices = choices,
            },
        };
        query.Validate(definition);
        return query;
    }

    /// <summary>Runs a query on a study's view: the sorted order of every trial is kept per version and sort, so paging sorts once.</summary>
    public static TrialPage Run(TrialQuery query, StudyView view)
    {
        int[] order = (int[])view.Memo.GetOrAdd($"order:{query.Sort}:{query.SortParameter}:{query.Descending}", _ => query.Order(view.Study.Definition, view.Trials));
        if (query.Filter.IsEmpty)
        {
            return new TrialPage(view.Trials.Length, order.Length, [.. order.Skip(query.Offset).Take(query.Limit).Select(i => view.Trials[i])]);
        }

        var page = new List<TrialRecord>(query.Limit);
        int matched = 0;
        foreach (int i in order)
        {
            TrialRecord t = view.Trials[i];
            if (query.Filter.Matches(t, view.Study.Definition))
            {
                if (matched >= query.Offset && page.Count < query.Limit)
                {
                    page.Add(t);
                }

                matched++;
            }
        }

        return new TrialPage(view.Trials.Length, matched, page);
    }

    private static int Int(Dictionary<string, string?> get, string name, int fallback, int min, int max)
    {
        string? text = get.GetValueOrDefault(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"Query parameter '{name}' must be an integer from {min} to {max}, but got '{text}'.", name);
    }
}
