using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>
/// The timeline of a distributed study: one lane per worker, one bar per trial that started, coloured by state, so that lost
/// workers (stale trials) and their retries are visible.
/// </summary>
/// <param name="Origin">When the first trial started (the time origin of the bars), or <see langword="null"/> when none started.</param>
/// <param name="Workers">The workers (trial owners), in the order they started their first trial.</param>
/// <param name="Bars">The bars, by trial number.</param>
public sealed record Timeline(DateTimeOffset? Origin, IReadOnlyList<string> Workers, IReadOnlyList<TimelineBar> Bars)
{
    /// <summary>The lane name of a trial whose owner was not recorded.</summary>
    public const string UnknownWorker = "(unknown worker)";

    /// <summary>Computes the timeline.</summary>
    /// <param name="data">The study.</param>
    /// <returns>The timeline.</returns>
    public static Timeline Compute(StudyData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        TrialRecord[] started = [.. data.Trials.Where(t => t.StartedAt is not null && t.State != TrialState.Waiting)];
        if (started.Length == 0)
        {
            return new Timeline(null, [], []);
        }

        DateTimeOffset origin = started.Min(t => t.StartedAt!.Value);
        var lanes = new Dictionary<string, int>(StringComparer.Ordinal);
        var workers = new List<string>();
        foreach (TrialRecord t in started.OrderBy(t => t.StartedAt!.Value).ThenBy(t => t.Number))
        {
            string owner = t.Owner ?? UnknownWorker;
            if (!lanes.ContainsKey(owner))
            {
                lanes[owner] = workers.Count;
                workers.Add(owner);
            }
        }

        var bars = new List<TimelineBar>(started.Length);
        foreach (TrialRecord t in started)
        {
            DateTimeOffset start = t.StartedAt!.Value;
            DateTimeOffset end = t.State switch
            {
                TrialState.Running => data.TakenAt,
                TrialState.Stale => t.Heartbeat ?? t.FinishedAt ?? start,
                _ => t.FinishedAt ?? data.TakenAt,
            };
            if (end < start)
            {
                end = start;
            }

            bars.Add(new TimelineBar(t.Number, lanes[t.Owner ?? UnknownWorker], (start - origin).TotalSeconds, (end - origin).TotalSeconds, t.State, TrialRetry.RetryOf(t), TrialRetry.Attempt(t)));
        }

        return new Timeline(origin, workers, bars);
    }
}
