using System.Text.Json;
using Hpo.Execution;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Visualization;

namespace Hpo.Dashboard;

/// <summary>The JSON shapes of the dashboard's API (camelCase); non-finite numbers never appear (they become null).</summary>
internal static class DashboardJson
{
    // Relaxed escaping: the API is read as JSON, never embedded in HTML (the page builds its DOM with textContent).
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string State(TrialState s) => s.ToString().ToLowerInvariant();

    public static object Counts(TrialCounts c) => new
    {
        waiting = c.Waiting,
        running = c.Running,
        complete = c.Complete,
        pruned = c.Pruned,
        failed = c.Failed,
        stale = c.Stale,
        total = c.Total,
    };

    public static double? Finite(double? v) => v is double d && double.IsFinite(d) ? d : null;

    public static object StudyItem(StudyListItem item) => new
    {
        name = item.Study.Name,
        direction = Direction(item.Study.Definition.Direction),
        tuner = item.Study.Definition.TunerName,
        createdAt = item.Study.CreatedAt,
        counts = Counts(item.Counts),
        best = item.Best is { } b ? new { number = b.Number, value = Finite(b.Value) } : null,
    };

    public static string Direction(StudyDirection d) => d == StudyDirection.Minimize ? "minimize" : "maximize";

    public static object Summary(StudyView view) => Summary(view.Study, view.Data.Counts, view.Data.BestTrial, view.Version, view.ReadAt);

    /// <summary>The summary from the storage's aggregates, while the study's trials are still being read (version 0).</summary>
    public static object Summary(Storage.StudyRecord study, TrialCounts counts, TrialRecord? best, long version, DateTimeOffset readAt)
    {
        Storage.StudyDefinition d = study.Definition;
        return new
        {
            name = d.Name,
            version,
            readAt,
            loading = version == 0,
            direction = Direction(d.Direction),
            counts = Counts(counts),
            best = best is null ? null : Row(best),
            settings = new
            {
                tuner = d.TunerName,
                tunerSettings = d.TunerSettings,
                pruner = d.PrunerName,
                prunerSettings = d.PrunerSettings,
                seed = d.Seed,
                budget = d.Budget,
                leaseSeconds = d.Lease.TotalSeconds,
                maxRetries = d.MaxRetries,
                retryOn = d.RetryOn.ToString(),
                createdAt = study.CreatedAt,
            },
            parameters = d.SearchSpace.Parameters.Select(Parameter).ToArray(),
        };
    }

    public static object Parameter(SearchParameter p) => new
    {
        name = p.Name,
        kind = p.Distribution.Kind.ToString().ToLowerInvariant(),
        distribution = p.Distribution.ToString(),
        condition = p.Condition?.ToString(),
    };

    public static object Row(TrialRecord t) => new
    {
        number = t.Number,
        state = State(t.State),
        value = Finite(t.Value),
        durationSeconds = t.Duration?.TotalSeconds,
        owner = t.Owner,
        startedAt = t.StartedAt,
        finishedAt = t.FinishedAt,
        parameters = t.Parameters.ToDictionary(p => p.Key, p => ParameterAxis.Label(p.Value), StringComparer.Ordinal),
        intermediateCount = t.IntermediateValues.Count,
        retryOf = TrialRetry.RetryOf(t),
        failReason = t.FailReason is { Length: > 200 } r ? r[..200] + "…" : t.FailReason,
    };

    public static object Detail(TrialRecord t) => new
    {
        number = t.Number,
        state = State(t.State),
        values = t.Values.Select(v => Finite(v)).ToArray(),
        parameters = t.Parameters.ToDictionary(p => p.Key, p => ParameterAxis.Label(p.Value), StringComparer.Ordinal),
        intermediateValues = t.IntermediateValues.Select(kv => new { step = kv.Key, value = Finite(kv.Value) }).ToArray(),
        userAttributes = t.UserAttributes.Where(a => a.Key != TrialProtocol.LogTailAttribute).OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
        systemAttributes = t.SystemAttributes.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
        logTail = t.UserAttributes.GetValueOrDefault(TrialProtocol.LogTailAttribute),
        createdAt = t.CreatedAt,
        startedAt = t.StartedAt,
        finishedAt = t.FinishedAt,
        durationSeconds = t.Duration?.TotalSeconds,
        heartbeat = t.Heartbeat,
        owner = t.Owner,
        failReason = t.FailReason,
        exceptionType = t.ExceptionType,
        retryOf = TrialRetry.RetryOf(t),
        attempt = TrialRetry.Attempt(t),
    };
}
