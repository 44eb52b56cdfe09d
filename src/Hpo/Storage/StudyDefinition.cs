using Hpo.SearchSpaces;
using Hpo.Studies;

namespace Hpo.Storage;

/// <summary>
/// Everything a storage keeps about a study so that any process that opens it by name knows how to continue it:
/// its search space, directions, tuner and pruner with their settings, seed, budget and lease.
/// </summary>
public sealed record StudyDefinition
{
    /// <summary>Gets the study's name, unique in its storage.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the search space.</summary>
    public required SearchSpace SearchSpace { get; init; }

    /// <summary>Gets the direction of each objective value; one for a single-objective study.</summary>
    public required IReadOnlyList<StudyDirection> Directions { get; init; }

    /// <summary>Gets the registered name of the tuner (for example <c>random</c>).</summary>
    public required string TunerName { get; init; }

    /// <summary>Gets the tuner's settings as a JSON object (empty object for the defaults).</summary>
    public string TunerSettings { get; init; } = "{}";

    /// <summary>Gets the registered name of the pruner (for example <c>asha</c>), or <see langword="null"/> when trials are never pruned.</summary>
    public string? PrunerName { get; init; }

    /// <summary>Gets the pruner's settings as a JSON object (empty object for the defaults, or when there is no pruner).</summary>
    public string PrunerSettings { get; init; } = "{}";

    /// <summary>Gets the study's seed, from which every tuner's randomness derives.</summary>
    public required int Seed { get; init; }

    /// <summary>Gets the maximum number of finished trials (complete, pruned or failed; not stale) across every process, or <see langword="null"/> for no limit.</summary>
    public int? Budget { get; init; }

    /// <summary>The lease of a study that does not set one: 10 seconds (see <see cref="Studies.StudyOptions.Lease"/>).</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(10);

    /// <summary>Gets how long a running trial's heartbeat stays valid; a trial whose worker has not renewed it for this long becomes stale.</summary>
    /// <value>The default value is <see cref="DefaultLease"/>.</value>
    public TimeSpan Lease { get; init; } = DefaultLease;

    /// <summary>Gets how many times a trial is run again, as a new trial, after a failure that <see cref="RetryOn"/> names; 0 never retries.</summary>
    public int MaxRetries { get; init; }

    /// <summary>Gets the failures that are retried (while <see cref="MaxRetries"/> allows).</summary>
    public RetryOn RetryOn { get; init; } = RetryOn.LostWorker;

    /// <summary>Gets the direction of the first (or only) objective.</summary>
    public StudyDirection Direction => Directions[0];

    /// <summary>Writes the definition as the JSON object that storages keep (the search space in its documented JSON form inside).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => StudyDefinitionJson.Write(this);

    /// <summary>Reads a definition written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="FormatException">The text is not a valid study definition.</exception>
    public static StudyDefinition FromJson(string json) => StudyDefinitionJson.Read(json);
}
