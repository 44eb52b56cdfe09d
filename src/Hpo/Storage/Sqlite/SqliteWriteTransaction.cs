namespace Hpo.Storage.Sqlite;

/// <summary>The connection's one transaction (they do not nest): commit it, or dispose it to roll back.</summary>
internal sealed class SqliteWriteTransaction(SqlitePooledConnection connection) : IDisposable
{
    public bool IsOpen { get; set; }

    public void Commit()
    {
        connection.Prepared("COMMIT").ExecuteNonQuery();
        IsOpen = false;
    }

    public void Dispose()
    {
        if (IsOpen)
        {
            IsOpen = false;
            if (connection.InTransaction())
            {
                connection.Prepared("ROLLBACK").ExecuteNonQuery();
            }
        }
    }
}
