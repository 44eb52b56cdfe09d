using System.Collections.Immutable;

namespace Hpo.Trials;

/// <summary>
/// An immutable snapshot of one trial as a storage holds it. Storages never mutate a record they have returned; a change
/// to a trial produces a new record.
/// </summary>
public sealed record TrialRecord
{
    // Shared by every new record: the empty dictionary is immutable, and building one per record cost two allocations.
    private static readonly ImmutableDictionary<string, string> EmptyAttributes = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Gets the storage's identifier of the trial, unique across studies.</summary>
    public required long Id { get; init; }

    /// <summary>Gets the trial's number: dense (0, 1, 2, …) and unique within its study.</summary>
    public required int Number { get; init; }

    /// <summary>Gets the trial's state.</summary>
    public required TrialState State { get; init; }

    /// <summary>Gets the typed values of the active parameters, by name; empty while a new trial awaits its proposal.</summary>
    public required IReadOnlyDictionary<string, object> Parameters { get; init; }

    /// <summary>Gets the objective values of a complete trial (one per direction), the last value of a pruned trial if any, or an empty list.</summary>
    public IReadOnlyList<double> Values { get; init; } = [];

    /// <summary>Gets the first objective value, or <see langword="null"/> when there is none.</summary>
    public double? Value => Values.Count > 0 ? Values[0] : null;

    /// <summary>Gets the intermediate values reported so far, by step.</summary>
    public ImmutableSortedDictionary<long, double> IntermediateValues { get; init; } = ImmutableSortedDictionary<long, double>.Empty;

    /// <summary>Gets the user attributes, by key.</summary>
    public ImmutableDictionary<string, string> UserAttributes { get; init; } = EmptyAttributes;

    /// <summary>Gets the system attributes (written by tuners and schedulers), by key.</summary>
    public ImmutableDictionary<string, string> SystemAttributes { get; init; } = EmptyAttributes;

    /// <summary>Gets when the trial was created or enqueued.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the trial started running, or <see langword="null"/> while it waits.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Gets when the trial finished, or <see langword="null"/> while it is not finished.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Gets the run time of a finished trial.</summary>
    public TimeSpan? Duration => StartedAt is { } s && FinishedAt is { } f ? f - s : null;

    /// <summary>Gets the worker that runs or ran the trial (host, process and instance), or <see langword="null"/> for a waiting trial.</summary>
    public string? Owner { get; init; }

    /// <summary>Gets the last heartbeat of a running trial's worker.</summary>
    public DateTimeOffset? Heartbeat { get; init; }

    /// <summary>Gets why a failed trial failed (for example the exception message, "timed out", "cancelled"), or <see langword="null"/>.</summary>
    public string? FailReason { get; init; }

    /// <summary>Gets the full type name of the exception that failed the trial, or <see langword="null"/>.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets a value indicating whether the trial is finished (complete, pruned, failed or stale): it never changes again.</summary>
    public bool IsFinished => State.IsFinished();
}
