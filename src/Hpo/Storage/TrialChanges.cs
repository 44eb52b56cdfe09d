namespace Hpo.Storage;

/// <summary>The trials of a study that changed after a given version, and the version they bring the caller to.</summary>
/// <param name="Trials">The changed trials, in the latest state the storage holds.</param>
/// <param name="Version">The version to pass next time, to receive only later changes.</param>
public sealed record TrialChanges(IReadOnlyList<Trials.TrialRecord> Trials, long Version);
