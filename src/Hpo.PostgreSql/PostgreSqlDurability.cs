namespace Hpo.PostgreSql;

/// <summary>When the writes of a <see cref="PostgreSqlStudyStorage"/> wait for PostgreSQL to flush them to disk.</summary>
public enum PostgreSqlDurability
{
    /// <summary>
    /// Every write commits synchronously (PostgreSQL's <c>synchronous_commit</c> on, its default): when a call returns, what it wrote
    /// is on disk, and a finished trial is committed before its worker's next trial starts. The default.
    /// </summary>
    Full,

    /// <summary>
    /// Every call still returns only after its writes are on disk, but the writes of trials commit asynchronously and the call then
    /// waits for the write-ahead log to be flushed up to its commit (in the same round trip, by a second transaction that takes no
    /// lock). The lock on the study's row is thus released before the flush instead of after it, and the flushes of many workers group
    /// into one, at the price of a window of one flush in which other sessions can see a write that is not yet durable: a crash of the
    /// database server (not a clean restart) in that window loses the write, whose caller has not had its answer and sends it again.
    /// An opt-in for many workers on a database whose disk flushes are slow; creating, deleting studies and enqueuing trials commit
    /// synchronously as with <see cref="Full"/>.
    /// </summary>
    Grouped,
}
