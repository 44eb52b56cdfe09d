using System.Diagnostics.CodeAnalysis;

namespace Hpo.Storage.Providers;

/// <summary>
/// Names a provider type of the assembly it is applied to, so that a storage registry that loads the assembly on demand (the
/// first time a URL of a scheme it does not know yet is opened) can build the provider and register its schemes. The type must
/// implement <see cref="IStudyStorageProvider"/> and have a public parameterless constructor.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class StudyStorageProviderAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="StudyStorageProviderAttribute"/> class.</summary>
    /// <param name="providerType">The provider: implements <see cref="IStudyStorageProvider"/>, with a public parameterless constructor.</param>
    /// <exception cref="ArgumentNullException"><paramref name="providerType"/> is null.</exception>
    public StudyStorageProviderAttribute([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type providerType)
    {
        ArgumentNullException.ThrowIfNull(providerType);
        ProviderType = providerType;
    }

    /// <summary>Gets the provider type.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type ProviderType { get; }
}
