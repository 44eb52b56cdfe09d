using Hpo.Registries;
namespace Hpo.Pruners;

/// <summary>
/// A base class for pruners: implement <see cref="Name"/> and <see cref="ShouldPrune"/>; override <see cref="Settings"/> when
/// the pruner has options. Hooks added in later versions will be virtual no-ops here, so subclasses keep working.
/// </summary>
public abstract class PrunerBase : IPruner
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public virtual string Settings => "{}";

    /// <inheritdoc/>
    public abstract bool ShouldPrune(PruningContext context);
}
