using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Storage.Testing;

namespace Hpo.Tests.Storage.Sqlite;

/// <summary>The trial rules of SQLite (a fresh temp file per sequence) against the pure life cycle, on random operation sequences.</summary>
public sealed class SqliteStudyStorageDifferentialTests : StudyStorageDifferentialTests, IDisposable
{
    private readonly TempDatabases databases = new();

    public void Dispose() => databases.Dispose();

    protected override IStudyStorage CreateStorage(TimeProvider timeProvider) =>
        new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = databases.New().Path, TimeProvider = timeProvider });
}
