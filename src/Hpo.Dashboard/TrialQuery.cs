using System.Globalization;
using Hpo.Trials;
using Hpo.Visualization;

namespace Hpo.Dashboard;

/// <summary>One page of the trials table: filter (states, text), sort (a column, either way), then offset and limit, on the server.</summary>
internal sealed record TrialQuery(int Offset, int Limit, string Sort, bool Descending, IReadOnlySet<TrialState>? States, string? Text)
{
    /// <summary>The columns the table sorts by, besides <c>param:NAME</c>.</summary>
    public static readonly string[] SortColumns = ["number", "state", "value", "duration", "started", "finished", "owner"];

    /// <summary>Reads a query from the request's query string, with errors that name the parameter, the rule and the value.</summary>
    public static TrialQuery Parse(Func<string, string?> get, int maxPageSize, IReadOnlyCollection<string> parameters)
    {
        int offset = Int(get, "offset", 0, 0, int.MaxValue);
        int limit = Int(get, "limit", 50, 1, maxPageSize);
        string sort = get("sort") is { Length: > 0 } s ? s : "number";
        if (!SortColumns.Contains(sort, StringComparer.Ordinal) && !(sort.StartsWith("param:", StringComparison.Ordinal) && parameters.Contains(sort[6..])))
        {
            throw new ArgumentException($"Query parameter 'sort' must be one of {string.Join(", ", SortColumns)} or param:NAME with NAME one of {string.Join(", ", parameters)}, but got '{sort}'.", "sort");
        }

        string? order = get("order");
        if (order is not (null or "" or "asc" or "desc"))
        {
            throw new ArgumentException($"Query parameter 'order' must be asc or desc, but got '{order}'.", "order");
        }

        HashSet<TrialState>? states = null;
        if (get("state") is { Length: > 0 } stateText)
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

        string? text = get("q") is { Length: > 0 } q ? q.Trim() : null;
        return new TrialQuery(offset, limit, sort, order == "desc", states, string.IsNullOrEmpty(text) ? null : text);
    }

    /// <summary>Runs the query on a study's trials.</summary>
    /// <returns>The number of trials that pass the filter, and the page.</returns>
    public (int Matched, IReadOnlyList<TrialRecord> Page) Run(StudyView view)
    {
        // The sorted order of every trial is kept per version and sort, so paging through a large study sorts once.
        int[] order = (int[])view.Memo.GetOrAdd($"order:{Sort}:{Descending}", _ => Order(view));
        if (States is null && Text is null)
        {
            return (order.Length, [.. order.Skip(Offset).Take(Limit).Select(i => view.Trials[i])]);
        }

        var page = new List<TrialRecord>(Limit);
        int matched = 0;
        foreach (int i in order)
        {
            TrialRecord t = view.Trials[i];
            if ((States is null || States.Contains(t.State)) && (Text is null || Matches(t, Text)))
            {
                if (matched >= Offset && page.Count < Limit)
                {
                    page.Add(t);
                }

                matched++;
            }
        }

        return (matched, page);
    }

    private int[] Order(StudyView view)
    {
        TrialRecord[] trials = view.Trials;
        int[] index = [.. Enumerable.Range(0, trials.Length)];
        if (Sort == "number")
        {
            if (Descending)
            {
                Array.Reverse(index);
            }

            return index;
        }

        if (Sort is "state" or "owner")
        {
            string[] keys = [.. trials.Select(t => Sort == "state" ? t.State.ToString() : t.Owner ?? string.Empty)];
            Array.Sort(index, (a, b) =>
            {
                int c = string.CompareOrdinal(keys[a], keys[b]);
                return c != 0 ? (Descending ? -c : c) : trials[a].Number.CompareTo(trials[b].Number);
            });
            return index;
        }

        // Numeric columns: trials without a value go last either way; ties by number.
        double?[] numbers = [.. trials.Select(NumericKey(view))];
        Array.Sort(index, (a, b) =>
        {
            double? x = numbers[a], y = numbers[b];
            if (x is null || y is null)
            {
                return x is null && y is null ? trials[a].Number.CompareTo(trials[b].Number) : x is null ? 1 : -1;
            }

            int c = x.Value.CompareTo(y.Value);
            return c != 0 ? (Descending ? -c : c) : trials[a].Number.CompareTo(trials[b].Number);
        });
        return index;
    }

    private Func<TrialRecord, double?> NumericKey(StudyView view)
    {
        switch (Sort)
        {
            case "value":
                return t => t.Value is double v && double.IsFinite(v) ? v : null;
            case "duration":
                return t => t.Duration?.TotalSeconds;
            case "started":
                return t => t.StartedAt?.ToUnixTimeMilliseconds();
            case "finished":
                return t => t.FinishedAt?.ToUnixTimeMilliseconds();
            default:
                ParameterAxis axis = ParameterAxis.For(view.Study.Definition.SearchSpace.Parameters.First(p => p.Name == Sort[6..]));
                return t => axis.ValueOf(t);
        }
    }

    private static bool Matches(TrialRecord t, string text)
    {
        if ((t.Owner?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false) || (t.FailReason?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
            || t.Number.ToString(CultureInfo.InvariantCulture) == text)
        {
            return true;
        }

        foreach ((string name, object value) in t.Parameters)
        {
            if (name.Contains(text, StringComparison.OrdinalIgnoreCase) || ParameterAxis.Label(value).Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static int Int(Func<string, string?> get, string name, int fallback, int min, int max)
    {
        string? text = get(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"Query parameter '{name}' must be an integer from {min} to {max}, but got '{text}'.", name);
    }
}
