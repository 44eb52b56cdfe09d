using Hpo.Trials;

namespace Hpo.Execution;

/// <summary>A trial for an <see cref="ITrialExecutor"/> to run: its handle, through which the executor reads the parameters and forwards reports.</summary>
public sealed class TrialRequest
{
    /// <summary>Initializes a new instance of the <see cref="TrialRequest"/> class.</summary>
    /// <param name="trial">The trial, as the study hands it to an objective.</param>
    /// <exception cref="ArgumentNullException"><paramref name="trial"/> is <see langword="null"/>.</exception>
    public TrialRequest(ITrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        Trial = trial;
    }

    /// <summary>Gets the trial: its number, study, search space and parameters, and the way to report and ask whether to prune.</summary>
    public ITrial Trial { get; }
}
