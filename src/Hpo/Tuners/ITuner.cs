using Hpo.SearchSpaces;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Tuners;

/// <summary>
/// Proposes the parameters of the next trial. A proposal is a function of the <see cref="TunerContext"/> alone — the search
/// space, the trial history (running trials included), the budget, the trial's number and the study's seed — so that
/// resumed studies, many workers and reproducible seeds all work (ARCHITECTURE.md, principle 2).
/// </summary>
/// <remarks>
/// <para>
/// <b>Life cycle.</b> For each new trial the study first claims a trial number in the storage, brings its history up to date,
/// and calls <see cref="Propose"/> once. Waiting trials (warm starts from <c>EnqueueAsync</c>) are run before any proposal
/// and never reach the tuner. Calls may come from several threads; implementations keep no mutable state (caches that do
/// not change results are allowed) or synchronize it.
/// </para>
/// <para>
/// <b>Persistence.</b> <see cref="Name"/> and <see cref="Settings"/> are stored with the study, and a process that opens the
/// study by name rebuilds the tuner through <see cref="Registries.TunerRegistry"/>. Tuners never call the storage.
/// </para>
/// </remarks>
public interface ITuner
{
    /// <summary>Gets the name the tuner is registered under in <see cref="Registries.TunerRegistry"/> (for example <c>random</c>).</summary>
    string Name { get; }

    /// <summary>Gets the tuner's settings as a JSON object, enough for <see cref="Registries.TunerRegistry"/> to rebuild an equivalent tuner.</summary>
    string Settings { get; }

    /// <summary>Proposes the parameters of the next trial.</summary>
    /// <param name="context">The space, history, budget, trial number and seeded randomness.</param>
    /// <returns>Typed values for every parameter that is active given the others, and for no other.</returns>
    IReadOnlyDictionary<string, object> Propose(TunerContext context);

    /// <summary>
    /// Determines whether <see cref="Propose"/> reads <see cref="TunerContext.Trials"/> in <paramref name="searchSpace"/>. When it
    /// does not, the study skips bringing its history up to date from the storage before each proposal (one read of the database
    /// per trial on shared storages) and passes an empty history.
    /// </summary>
    /// <param name="searchSpace">The study's search space.</param>
    /// <returns><see langword="true"/> (the default) when proposals depend on the history.</returns>
    bool UsesHistory(SearchSpace searchSpace) => true;

    /// <summary>
    /// Recommends the trial to report as the study's result: by default the complete trial with the best value. A tuner that
    /// models the objective may recommend by its model instead (the Gaussian-process tuner recommends the observed point with
    /// the best posterior mean, which on a noisy objective is not the luckiest observation).
    /// </summary>
    /// <param name="context">The space, the history and the study's seed; <see cref="TunerContext.TrialNumber"/> is the next trial's number.</param>
    /// <returns>A complete trial of <see cref="TunerContext.Trials"/>, or <see langword="null"/> when none is complete.</returns>
    TrialRecord? Recommend(TunerContext context) => TunerRecommendation.BestValue(context);
}
