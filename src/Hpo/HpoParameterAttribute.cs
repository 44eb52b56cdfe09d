namespace Hpo;

/// <summary>Names the search-space parameter that a property or constructor parameter binds to (see <see cref="ParameterBinder"/>).</summary>
/// <param name="name">The parameter's name in the search space.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class HpoParameterAttribute(string name) : Attribute
{
    /// <summary>Gets the parameter's name in the search space.</summary>
    public string Name { get; } = name;
}
