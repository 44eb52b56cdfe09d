using Hpo.Trials;

namespace Hpo.Visualization.Plots;

/// <summary>One trial's learning curve.</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="State">The trial's state.</param>
/// <param name="Steps">The steps that have a value, ascending.</param>
/// <param name="Values">The value at each step (finite values only).</param>
public sealed record LearningCurve(int Number, TrialState State, IReadOnlyList<long> Steps, IReadOnlyList<double> Values)
{
    /// <summary>Gets a value indicating whether the trial was pruned: its last point is where it stopped.</summary>
    public bool IsPruned => State == TrialState.Pruned;
}
