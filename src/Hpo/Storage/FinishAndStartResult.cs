using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>What <see cref="IStudyStorage.FinishAndStartTrialAsync"/> did.</summary>
/// <param name="Finished">The finished trial.</param>
/// <param name="Next">The started trial, or <see langword="null"/> when the study's budget is filled.</param>
public sealed record FinishAndStartResult(TrialRecord Finished, TrialRecord? Next);
