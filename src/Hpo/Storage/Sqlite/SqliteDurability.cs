namespace Hpo.Storage.Sqlite;

/// <summary>How far SQLite goes to make a commit durable (<c>PRAGMA synchronous</c>), in write-ahead-log mode.</summary>
public enum SqliteDurability
{
    /// <summary>A commit survives the crash or kill of any process; the last commits before a power loss may be lost. The default.</summary>
    Normal,

    /// <summary>A commit survives a power loss too (an fsync per commit), at a large cost in throughput.</summary>
    Full,
}
