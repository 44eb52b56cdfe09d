using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>What <see cref="OptimizeOptions.OnTrialHandedBack"/> learns when a stopping run hands a running trial back.</summary>
public readonly struct TrialHandedBackArguments
{
    /// <summary>Initializes a new instance of the <see cref="TrialHandedBackArguments"/> struct.</summary>
    /// <param name="study">The study.</param>
    /// <param name="trial">The trial as recorded when it was handed back (<see cref="TrialState.Stale"/>, with the reason).</param>
    public TrialHandedBackArguments(Study study, TrialRecord trial)
    {
        Study = study;
        Trial = trial;
    }

    /// <summary>Gets the study.</summary>
    public Study Study { get; }

    /// <summary>Gets the trial as recorded when it was handed back (<see cref="TrialState.Stale"/>, with the reason).</summary>
    public TrialRecord Trial { get; }
}
