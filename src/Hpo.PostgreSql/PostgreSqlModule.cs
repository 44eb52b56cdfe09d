using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Hpo.PostgreSql;

/// <summary>Registers the PostgreSQL URL schemes as soon as this assembly loads.</summary>
internal static class PostgreSqlModule
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registering the postgresql:// scheme is cheap, idempotent and has no side effect beyond StudyStorage's scheme table; it is what makes StudyStorage.Open work once the package is referenced.")]
    internal static void Initialize() => PostgreSqlStudyStorage.Register();
}
