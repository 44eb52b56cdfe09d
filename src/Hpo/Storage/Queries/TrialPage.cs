using Hpo.Trials;

namespace Hpo.Storage;

/// <summary>One page of a study's trials, as <see cref="IStudyQueryStorage.QueryTrialsAsync"/> returns it.</summary>
/// <param name="Total">The number of trials in the study.</param>
/// <param name="Matched">The number of trials that pass the query's filter (the page is taken from these).</param>
/// <param name="Trials">The page's trials, in the query's order.</param>
public sealed record TrialPage(int Total, int Matched, IReadOnlyList<TrialRecord> Trials);
