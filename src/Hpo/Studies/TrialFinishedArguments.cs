using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>What a progress callback learns when a trial finishes.</summary>
public readonly struct TrialFinishedArguments
{
    /// <summary>Initializes a new instance of the <see cref="TrialFinishedArguments"/> struct.</summary>
    /// <param name="study">The study.</param>
    /// <param name="trial">The trial that finished.</param>
    /// <param name="bestTrial">The best complete trial so far, if any.</param>
    /// <param name="counts">The study's trials by state, as this process last saw them.</param>
    public TrialFinishedArguments(Study study, TrialRecord trial, TrialRecord? bestTrial, TrialCounts counts)
    {
        Study = study;
        Trial = trial;
        BestTrial = bestTrial;
        Counts = counts;
    }

    /// <summary>Gets the study.</summary>
    public Study Study { get; }

    /// <summary>Gets the trial that finished.</summary>
    public TrialRecord Trial { get; }

    /// <summary>Gets the best complete trial so far, if any.</summary>
    public TrialRecord? BestTrial { get; }

    /// <summary>Gets the study's trials by state, as this process last saw them (all workers included).</summary>
    public TrialCounts Counts { get; }
}
