using Hpo.Objectives;
using Hpo.Trials;

namespace Hpo.TestTrialProgram;

/// <summary>An objective for the worker's <c>--objective path.dll:Type</c> tests: (x - 1)^2, reported once.</summary>
public sealed class QuadraticObjective : IObjective
{
    /// <inheritdoc/>
    public async ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        double x = trial.Get<double>("x");
        double value = (x - 1) * (x - 1);
        await trial.ReportAsync(1, value, cancellationToken).ConfigureAwait(false);
        return ObjectiveResult.FromValue(value);
    }
}
