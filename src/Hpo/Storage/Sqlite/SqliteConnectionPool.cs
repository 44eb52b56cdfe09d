using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Hpo.Storage.Sqlite;

/// <summary>
/// The storage's own pool of open connections to one file, each set up once (busy timeout, write-ahead log, synchronous mode,
/// foreign keys) and keeping its prepared statements: Microsoft.Data.Sqlite's pooling would reset them.
/// </summary>
internal sealed class SqliteConnectionPool : IDisposable
{
    private const int MaxIdle = 16;

    private readonly SqliteStudyStorageOptions options;
    private readonly string connectionString;
    private readonly ConcurrentBag<SqlitePooledConnection> idle = [];
    private int disposed;

    /// <summary>Initializes a new instance of the <see cref="SqliteConnectionPool"/> class.</summary>
    /// <param name="options">The storage's validated options.</param>
    /// <param name="fullPath">The database file's full path.</param>
    public SqliteConnectionPool(SqliteStudyStorageOptions options, string fullPath)
    {
        this.options = options;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = options.MigrateSchema ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite, // a reader never creates the file
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    /// <summary>Takes an idle connection, or opens and sets up a new one.</summary>
    /// <param name="owner">The storage, named when the pool is disposed.</param>
    /// <returns>The connection; give it back with <see cref="Return"/>, or dispose it when it failed.</returns>
    public SqlitePooledConnection Rent(object owner)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, owner);
        if (idle.TryTake(out SqlitePooledConnection? pooled))
        {
            return pooled;
        }

        var conn = new SqliteConnection(connectionString);
        try
        {
            conn.Open();
            string sync = options.Durability == SqliteDurability.Full ? "FULL" : "NORMAL";
            using SqliteCommand setup = conn.CreateCommand();
            setup.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;");
            setup.ExecuteNonQuery();
        }
        catch
        {
            conn.Dispose();
            throw;
        }

        return new SqlitePooledConnection(conn);
    }

    /// <summary>Gives a healthy connection back (closed instead when the pool is full or disposed).</summary>
    /// <param name="conn">The connection.</param>
    public void Return(SqlitePooledConnection conn)
    {
        if (Volatile.Read(ref disposed) != 0 || idle.Count >= MaxIdle)
        {
            conn.Dispose();
        }
        else
        {
            idle.Add(conn);
        }
    }

    /// <summary>Closes the idle connections; connections in use close when they come back.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            while (idle.TryTake(out SqlitePooledConnection? c))
            {
                c.Dispose();
            }
        }
    }
}
