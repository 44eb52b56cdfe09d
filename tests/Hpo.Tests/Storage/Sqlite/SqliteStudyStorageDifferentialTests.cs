using Hpo.Storage;
using Hpo.Storage.Sqlite;
using Hpo.Storage.Testing;
using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Storage.Sqlite;

/// <summary>The trial rules of SQLite (a fresh temp file per sequence) against the pure life cycle, on random operation sequences.</summary>
public sealed class SqliteStudyStorageDifferentialTests : StudyStorageDifferentialTests, IDisposable
{
    private readonly List<TempDatabase> databases = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (TempDatabase db in databases)
        {
            db.Dispose();
        }
    }

    protected override IStudyStorage CreateStorage(TimeProvider timeProvider)
    {
        var db = new TempDatabase();
        databases.Add(db);
        return new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = db.Path, TimeProvider = timeProvider });
    }
}
