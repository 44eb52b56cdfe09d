using Hpo.Storage.Providers;
using Hpo.Trials;
using Microsoft.Data.Sqlite;

namespace Hpo.Storage.Sqlite;

/// <summary>The primitives the trial rules (<see cref="TrialLifecycle"/>) run over, inside one <c>BEGIN IMMEDIATE</c> transaction.</summary>
public sealed partial class SqliteStudyStorage
{
    private static readonly string[] InsertBumpSql = [.. Enum.GetValues<TrialState>().Select(s =>
        $"UPDATE studies SET version = version + 1, next_number = next_number + 1, {CountColumn(s)} = {CountColumn(s)} + 1 WHERE id = $s RETURNING version, next_number - 1")];

    // The same advances, for a study row already read in the transaction: its new version and number are known, and a statement
    // without RETURNING costs SQLite less.
    private static readonly string[] KnownInsertBumpSql = [.. Enum.GetValues<TrialState>().Select(s =>
        $"UPDATE studies SET version = version + 1, next_number = next_number + 1, {CountColumn(s)} = {CountColumn(s)} + 1 WHERE id = $s")];

    private static readonly string[,] KnownMoveSql = BuildKnownMoveSql();

    /// <summary>
    /// Runs trial rules over one study in one write transaction (<c>BEGIN IMMEDIATE</c>), committed when <paramref name="rules"/>
    /// returns and rolled back when it throws: the store, and the counters it caches, live only as long as the transaction.
    /// </summary>
    /// <typeparam name="T">What the rules return.</typeparam>
    /// <param name="study">The study.</param>
    /// <param name="rules">The rules, over the study's store.</param>
    /// <param name="cancellationToken">A token to cancel before the transaction starts.</param>
    /// <returns>What the rules return.</returns>
    internal ValueTask<T> RunRules<T>(StudyRecord study, Func<ITrialLifecycleStore, T> rules, CancellationToken cancellationToken) => Run(conn =>
    {
        using SqliteWriteTransaction tx = conn.BeginTransaction();
        T result = rules(new LifecycleStore(this, conn, study));
        tx.Commit();
        return result;
    }, cancellationToken);

    private static string[,] BuildKnownMoveSql()
    {
        TrialState[] states = Enum.GetValues<TrialState>();
        var sql = new string[states.Length, states.Length];
        foreach (TrialState from in states)
        {
            foreach (TrialState to in states)
            {
                sql[(int)from, (int)to] = from == to
                    ? "UPDATE studies SET version = version + 1 WHERE id = $s"
                    : $"UPDATE studies SET version = version + 1, {CountColumn(from)} = {CountColumn(from)} - 1, {CountColumn(to)} = {CountColumn(to)} + 1 WHERE id = $s";
            }
        }

        return sql;
    }

    /// <summary>
    /// One study inside the connection's open write transaction: the counters are read once (the common start needs nothing else)
    /// and kept up to date by the writes made through it.
    /// </summary>
    /// <param name="storage">The storage.</param>
    /// <param name="conn">The connection, in its write transaction.</param>
    /// <param name="study">The study.</param>
    /// <param name="version">The study's version if the transaction read it, else -1.</param>
    private sealed class LifecycleStore(SqliteStudyStorage storage, SqlitePooledConnection conn, StudyRecord study, long version = -1) : ITrialLifecycleStore
    {
        private TrialCounts? counts;

        // The study row's version and next number as this transaction left them, once read (-1 until then): the write lock is
        // held, so the writes made through this store are the only ones that advance them.
        private long version = version;
        private long nextNumber = -1;

        public TrialCounts Counts => counts ??= ReadCounts();

        public IReadOnlyList<TrialRecord> GetExpiredTrials(DateTimeOffset cutoff)
        {
            // A start asks this first: one statement reads the counters and whether any lease expired, as the common case needs.
            long until = cutoff.ToUnixTimeMilliseconds();
            SqliteCommand look = Command(
                conn,
                null,
                "SELECT n_waiting, n_running, n_complete, n_pruned, n_failed, n_stale, version, next_number, EXISTS (SELECT 1 FROM trials WHERE study_id = $s AND state = 1 AND heartbeat < $cutoff) FROM studies WHERE id = $s",
                ("$s", study.Id),
                ("$cutoff", until));
            using (SqliteDataReader r = look.ExecuteReader())
            {
                if (!r.Read())
                {
                    throw new InvalidOperationException($"There is no study with id {study.Id} in {storage.FilePath} (was it deleted?).");
                }

                counts = new TrialCounts(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)) { Stale = r.GetInt32(5) };
                version = r.GetInt64(6);
                nextNumber = r.GetInt64(7);
                if (r.GetInt64(8) == 0)
                {
                    return [];
                }
            }

            // Sorted here, not by the query: an ORDER BY number would let SQLite walk the (study, number) index over every trial.
            var found = new List<(int Number, long Id)>();
            SqliteCommand cmd = Command(conn, null, "SELECT number, id FROM trials WHERE study_id = $s AND state = 1 AND heartbeat < $cutoff", ("$s", study.Id), ("$cutoff", until));
            using (SqliteDataReader r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    found.Add((r.GetInt32(0), r.GetInt64(1)));
                }
            }

            found.Sort();
            return [.. found.Select(f => storage.ReadTrial(conn, null, study, f.Id))];
        }

        public TrialRecord? GetOldestWaitingTrial()
        {
            // The waiting count lives in the study row, so the common case (nothing enqueued) needs no look-up.
            if (Counts.Waiting == 0)
            {
                return null;
            }

            SqliteCommand waiting = Command(conn, null, "SELECT id FROM trials WHERE study_id = $s AND state = 0 ORDER BY number LIMIT 1", ("$s", study.Id));
            return waiting.ExecuteScalar() is long id ? storage.ReadTrial(conn, null, study, id) : null;
        }

        public TrialRecord InsertTrial(TrialRecord trial)
        {
            // The number, the version and the state counter advance in one statement.
            long number;
            if (nextNumber >= 0)
            {
                AdvanceKnown(KnownInsertBumpSql[(int)trial.State]);
                number = nextNumber++;
            }
            else
            {
                SqliteCommand bump = Command(conn, null, InsertBumpSql[(int)trial.State], ("$s", study.Id));
                using SqliteDataReader r = bump.ExecuteReader();
                if (!r.Read())
                {
                    throw new InvalidOperationException($"There is no study with id {study.Id} in {storage.FilePath} (was it deleted?).");
                }

                version = r.GetInt64(0);
                number = r.GetInt64(1);
                nextNumber = number + 1;
            }

            // Only what the trial sets is bound and written: a start's empty parameters and attributes keep their defaults.
            (string sql, (string Name, object? Value)[] parameters) = SqliteTrialWriteSql.Insert(
                [("$s", study.Id), ("$n", number), ("$state", (int)trial.State), ("$now", trial.CreatedAt.ToUnixTimeMilliseconds()), ("$v", version)],
                [
                    trial.Parameters.Count > 0 ? StudyDefinitionJson.WriteParameters(study.Definition.SearchSpace, trial.Parameters) : null,
                    trial.UserAttributes.Count > 0 ? StudyDefinitionJson.WriteAttributes(trial.UserAttributes) : null,
                    trial.SystemAttributes.Count > 0 ? StudyDefinitionJson.WriteAttributes(trial.SystemAttributes) : null,
                    trial.StartedAt?.ToUnixTimeMilliseconds(),
                    trial.Owner,
                    trial.Heartbeat?.ToUnixTimeMilliseconds(),
                ]);
            Exec(conn, null, sql, parameters);
            long id = conn.LastInsertRowId();
            foreach (KeyValuePair<long, double> iv in trial.IntermediateValues)
            {
                Exec(conn, null, "INSERT INTO trial_values (trial_id, step, value) VALUES ($id, $step, $value)", ("$id", id), ("$step", iv.Key), ("$value", double.IsNaN(iv.Value) ? DBNull.Value : iv.Value));
            }

            // The bump above already counted the trial in the study row. Only counters read before it move here: counters never
            // read stay unread, and are read (bump included) when the rules ask. Reading them here, through Counts, would count the
            // trial twice. UpdateTrial follows the same rule.
            counts = counts?.Add(trial.State);
            return trial with { Id = id, Number = (int)number };
        }

        public TrialRecord UpdateTrial(TrialRecord previous, TrialRecord updated)
        {
            if (version >= 0)
            {
                AdvanceKnown(KnownMoveSql[(int)previous.State, (int)updated.State]);
            }
            else
            {
                version = BumpVersion(conn, null, study.Id, previous.State, updated.State);
            }

            // Only the fields that changed are bound and written (the JSON ones by reference: records share what they do not change).
            int changed = (previous.State != updated.State ? 1 << 0 : 0)
                | (ReferenceEquals(previous.Values, updated.Values) ? 0 : 1 << 1)
                | (string.Equals(previous.FailReason, updated.FailReason, StringComparison.Ordinal) ? 0 : 1 << 2)
                | (string.Equals(previous.ExceptionType, updated.ExceptionType, StringComparison.Ordinal) ? 0 : 1 << 3)
                | (previous.StartedAt == updated.StartedAt ? 0 : 1 << 4)
                | (previous.FinishedAt == updated.FinishedAt ? 0 : 1 << 5)
                | (string.Equals(previous.Owner, updated.Owner, StringComparison.Ordinal) ? 0 : 1 << 6)
                | (previous.Heartbeat == updated.Heartbeat ? 0 : 1 << 7)
                | (ReferenceEquals(previous.Parameters, updated.Parameters) ? 0 : 1 << 8)
                | (ReferenceEquals(previous.UserAttributes, updated.UserAttributes) ? 0 : 1 << 9)
                | (ReferenceEquals(previous.SystemAttributes, updated.SystemAttributes) ? 0 : 1 << 10);
            (string sql, (string Name, object? Value)[] parameters) = SqliteTrialWriteSql.Update(
                changed,
                [
                    (int)updated.State,
                    (changed & (1 << 1)) != 0 ? StudyDefinitionJson.WriteValues(updated.Values) : null,
                    updated.FailReason,
                    updated.ExceptionType,
                    updated.StartedAt?.ToUnixTimeMilliseconds(),
                    updated.FinishedAt?.ToUnixTimeMilliseconds(),
                    updated.Owner,
                    updated.Heartbeat?.ToUnixTimeMilliseconds(),
                    (changed & (1 << 8)) != 0 ? StudyDefinitionJson.WriteParameters(study.Definition.SearchSpace, updated.Parameters) : null,
                    (changed & (1 << 9)) != 0 ? StudyDefinitionJson.WriteAttributes(updated.UserAttributes) : null,
                    (changed & (1 << 10)) != 0 ? StudyDefinitionJson.WriteAttributes(updated.SystemAttributes) : null,
                ],
                version,
                updated.Id);
            Exec(conn, null, sql, parameters);
            if (counts is TrialCounts known && previous.State != updated.State)
            {
                counts = known.Add(previous.State, -1).Add(updated.State);
            }

            return updated;
        }

        private void AdvanceKnown(string sql)
        {
            if (Exec(conn, null, sql, ("$s", study.Id)) != 1)
            {
                throw new InvalidOperationException($"There is no study with id {study.Id} in {storage.FilePath} (was it deleted?).");
            }

            version++;
        }

        private TrialCounts ReadCounts()
        {
            SqliteCommand cmd = Command(conn, null, "SELECT n_waiting, n_running, n_complete, n_pruned, n_failed, n_stale, version, next_number FROM studies WHERE id = $s", ("$s", study.Id));
            using SqliteDataReader r = cmd.ExecuteReader();
            if (!r.Read())
            {
                throw new InvalidOperationException($"There is no study with id {study.Id} in {storage.FilePath} (was it deleted?).");
            }

            version = r.GetInt64(6);
            nextNumber = r.GetInt64(7);
            return new TrialCounts(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)) { Stale = r.GetInt32(5) };
        }
    }
}
