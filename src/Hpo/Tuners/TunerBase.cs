using Hpo.SearchSpaces;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Tuners;

/// <summary>
/// A base class for tuners: implement <see cref="Name"/> and <see cref="Propose"/>; override <see cref="Settings"/> when the
/// tuner has options. Hooks added in later versions will be virtual no-ops here, so subclasses keep working.
/// </summary>
public abstract class TunerBase : ITuner
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public virtual string Settings => "{}";

    /// <inheritdoc/>
    public abstract IReadOnlyDictionary<string, object> Propose(TunerContext context);

    /// <inheritdoc/>
    public virtual bool UsesHistory(SearchSpace searchSpace) => true;

    /// <inheritdoc/>
    public virtual TrialRecord? Recommend(TunerContext context) => TunerRecommendation.BestValue(context);
}
