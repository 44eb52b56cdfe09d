using Microsoft.Data.Sqlite;

namespace Hpo.Storage.Sqlite;

/// <summary>
/// A pooled connection and its prepared commands, one per SQL text: preparing a statement costs more than running it, and
/// a trial runs the same dozen statements every time. Transactions, too, begin and end through prepared statements.
/// </summary>
internal sealed class SqlitePooledConnection : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Dictionary<string, SqliteCommand> prepared = new(StringComparer.Ordinal);
    private readonly SqliteWriteTransaction transaction;

    public SqlitePooledConnection(SqliteConnection connection)
    {
        this.connection = connection;
        transaction = new SqliteWriteTransaction(this);
    }

    /// <summary>Begins a transaction: <c>BEGIN IMMEDIATE</c> (takes the write lock at once) or, deferred, a read snapshot.</summary>
    public SqliteWriteTransaction BeginTransaction(bool deferred = false)
    {
        Prepared(deferred ? "BEGIN" : "BEGIN IMMEDIATE").ExecuteNonQuery();
        transaction.IsOpen = true;
        return transaction;
    }

    public SqliteCommand CreateCommand() => connection.CreateCommand();

    public SqliteCommand Prepared(string sql)
    {
        if (!prepared.TryGetValue(sql, out SqliteCommand? cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            prepared.Add(sql, cmd);
        }

        return cmd;
    }

    /// <summary>Gets the id of the row that this connection's last successful insert wrote (SQLite's <c>last_insert_rowid()</c>, without a statement).</summary>
    public long LastInsertRowId() => SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);

    /// <summary>Determines whether SQLite still has a transaction open on this connection (it may have rolled back by itself).</summary>
    public bool InTransaction() => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

    public void Dispose()
    {
        foreach (SqliteCommand cmd in prepared.Values)
        {
            cmd.Dispose();
        }

        prepared.Clear();
        connection.Dispose();
    }
}
