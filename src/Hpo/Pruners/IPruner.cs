using Hpo.Registries;
namespace Hpo.Pruners;

/// <summary>
/// Decides whether a running trial should stop early, from the values it reported so far and those of the study's other
/// trials. A decision is a function of the <see cref="PruningContext"/> alone, so it holds whichever worker asks and after a
/// resume (ARCHITECTURE.md, principle 1: the storage is the truth).
/// </summary>
/// <remarks>
/// <para>
/// <b>Life cycle.</b> An objective reports intermediate values with <see cref="Trials.ITrial.ReportAsync"/> and asks
/// <see cref="Trials.ITrial.ShouldPruneAsync"/>; the study then brings its copy of the history up to date from the storage
/// (incrementally), builds a <see cref="PruningContext"/> and calls <see cref="ShouldPrune"/> once. When it returns
/// <see langword="true"/> the objective is expected to stop and return <see cref="Objectives.ObjectiveResult.Pruned(double?)"/>;
/// the trial is then recorded <see cref="Trials.TrialState.Pruned"/> with its last reported value. Calls may come from several
/// threads; implementations keep no mutable state that changes decisions (caches are allowed).
/// </para>
/// <para>
/// <b>Persistence.</b> <see cref="Name"/> and <see cref="Settings"/> are stored with the study, and a process that opens the
/// study by name rebuilds the pruner through <see cref="Registries.PrunerRegistry"/>. Pruners never call the storage.
/// </para>
/// <para>Added in 0.1.</para>
/// </remarks>
public interface IPruner
{
    /// <summary>Gets the name the pruner is registered under in <see cref="Registries.PrunerRegistry"/> (for example <c>median</c>).</summary>
    string Name { get; }

    /// <summary>Gets the pruner's settings as a JSON object, enough for <see cref="Registries.PrunerRegistry"/> to rebuild an equivalent pruner.</summary>
    string Settings { get; }

    /// <summary>Decides whether the trial in <paramref name="context"/> should stop now.</summary>
    /// <param name="context">The trial being asked about, the study's other trials, the direction, seed and budget.</param>
    /// <returns><see langword="true"/> to stop the trial.</returns>
    bool ShouldPrune(PruningContext context);
}
