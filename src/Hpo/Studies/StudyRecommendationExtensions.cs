using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;

namespace Hpo.Studies;

/// <summary>Asks a study's tuner which trial to report as the study's result.</summary>
public static class StudyRecommendationExtensions
{
    /// <summary>
    /// Gets the trial the study's tuner recommends as its result (<see cref="ITuner.Recommend"/>): the complete trial with the
    /// best value for most tuners; for the Gaussian-process tuner the observed point with the best posterior mean, which on a
    /// noisy objective is a better estimate of the best point than the luckiest observation. On a deterministic objective
    /// prefer <see cref="Study.GetBestTrialAsync"/>.
    /// </summary>
    /// <param name="study">The study.</param>
    /// <param name="cancellationToken">A token to cancel the read of the history.</param>
    /// <returns>A complete trial, or <see langword="null"/> when none is complete yet.</returns>
    public static async Task<TrialRecord?> GetRecommendedTrialAsync(this Study study, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync(cancellationToken).ConfigureAwait(false);
        int next = trials.Count == 0 ? 0 : trials.Max(t => t.Number) + 1;
        var context = new TunerContext(study.SearchSpace, trials, study.Record.Definition.Directions, next, study.Seed, study.Budget);
        return study.Tuner.Recommend(context);
    }
}
