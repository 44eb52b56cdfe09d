using Hpo.Storage.Providers;

namespace Hpo.Storage.InMemory;

/// <summary>
/// Opens <c>memory</c> storages (also written <c>memory://</c> and <c>:memory:</c>): every call returns a new, empty
/// <see cref="InMemoryStudyStorage"/>, which lives as long as the object.
/// </summary>
public sealed class InMemoryStorageProvider : IStudyStorageProvider
{
    /// <summary>The scheme: <c>memory</c>.</summary>
    public const string Scheme = "memory";

    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes { get; } = [Scheme];

    /// <inheritdoc/>
    public IStudyStorage Open(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new InMemoryStudyStorage();
    }
}
