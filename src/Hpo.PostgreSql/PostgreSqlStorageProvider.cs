using Hpo.PostgreSql;
using Hpo.Storage;
using Hpo.Storage.Providers;

// A storage registry that meets a postgresql:// URL before this provider is registered loads this assembly and registers it.
[assembly: StudyStorageProvider(typeof(PostgreSqlStorageProvider))]

namespace Hpo.PostgreSql;

/// <summary>
/// Opens <c>postgresql://</c> and <c>postgres://</c> storages (<see cref="PostgreSqlUrl"/> reads the URL). A storage registry
/// discovers it when this package is deployed; register it explicitly (<c>registry.Register(new PostgreSqlStorageProvider())</c>)
/// to skip the discovery's reflective assembly load, as the <c>hpo</c> tool does.
/// </summary>
public sealed class PostgreSqlStorageProvider : IStudyStorageProvider
{
    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes { get; } = ["postgresql", "postgres"];

    /// <inheritdoc/>
    public IStudyStorage Open(string url) => new PostgreSqlStudyStorage(url);
}
