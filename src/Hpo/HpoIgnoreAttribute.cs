namespace Hpo;

/// <summary>Excludes a property or constructor parameter from binding (see <see cref="ParameterBinder"/>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class HpoIgnoreAttribute : Attribute
{
}
