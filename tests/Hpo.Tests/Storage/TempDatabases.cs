using Microsoft.Data.Sqlite;

namespace Hpo.Tests.Storage;

/// <summary>The fresh SQLite files of one test class: each deleted, with SQLite's pooled handles released first, on dispose.</summary>
internal sealed class TempDatabases : IDisposable
{
    private readonly List<TempDatabase> databases = [];

    public TempDatabase New()
    {
        var db = new TempDatabase();
        databases.Add(db);
        return db;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (TempDatabase db in databases)
        {
            db.Dispose();
        }
    }
}
