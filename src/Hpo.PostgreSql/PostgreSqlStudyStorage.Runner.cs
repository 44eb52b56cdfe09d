using System.Runtime.CompilerServices;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;
using Npgsql;

namespace Hpo.PostgreSql;

/// <summary>The connection and retry runner: pooled connections, transactions, deadlock and transient-failure retries, the schema check, and calls of the server-side functions.</summary>
public sealed partial class PostgreSqlStudyStorage
{
    private static bool IsTransient(NpgsqlException e) =>
        e.IsTransient || e.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException
        || e is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow };

    private static bool IsDeadlock(NpgsqlException e) => e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    /// <summary>
    /// Calls one of the schema's trial functions (one round trip, committed when it returns) and reads its status, the trial's
    /// study and, when the function returned one and <paramref name="study"/> is known, the trial.
    /// </summary>
    /// <remarks>Every function is safe to send again after a lost connection; <c>Resent</c> tells the caller that it was.</remarks>
    private async Task<(int Status, TrialRecord? Trial, long? StudyId, bool Resent)> CallAsync(string sql, StudyRecord? study, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        int calls = 0;
        (int status, TrialRecord? trial, long? studyId) = await RunAsync(
            async (conn, tx, ct) =>
            {
                calls++;
                using NpgsqlCommand cmd = Command(conn, null, sql, [.. parameters.Select(p => p.Clone())]);
                using NpgsqlBatch batch = FunctionBatch(cmd);
                NpgsqlDataReader r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using ConfiguredAsyncDisposable rScope = r.ConfigureAwait(false);
                if (!await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"The PostgreSQL function in '{sql}' returned no row.");
                }

                int status = r.GetInt32(0);
                long? studyId = r.IsDBNull(1) ? null : r.GetInt64(1);
                TrialRecord? t = study is not null && !r.IsDBNull(2) ? ReadTrial(r, study.Definition.SearchSpace, offset: 2) : null;
                while (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                }

                await FlushedAsync(r, ct).ConfigureAwait(false);
                AfterWrite?.Invoke(sql);
                return (status, t, studyId);
            },
            transaction: false,
            cancellationToken).ConfigureAwait(false);
        return (status, trial, studyId, calls > 1);
    }

    /// <summary>
    /// The batch that calls a trial function: the call alone, or with <see cref="PostgreSqlDurability.Grouped"/> the call (committed on
    /// its own, asynchronously, by the error barrier after it) followed in the same round trip by a transaction that only takes a
    /// transaction id: its synchronous commit waits for the log to reach the disk up to it, and so past the call's commit.
    /// </summary>
    private NpgsqlBatch FunctionBatch(NpgsqlCommand call)
    {
        var batch = new NpgsqlBatch(call.Connection);
        var first = new NpgsqlBatchCommand(call.CommandText) { AppendErrorBarrier = grouped ? true : null };
        foreach (NpgsqlParameter p in call.Parameters.ToArray())
        {
            call.Parameters.Remove(p);
            first.Parameters.Add(p);
        }

        batch.BatchCommands.Add(first);
        if (grouped)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT txid_current()"));
        }

        return batch;
    }

    /// <summary>Reads past the flush of a <see cref="FunctionBatch(NpgsqlCommand)"/>, so that its errors surface here.</summary>
    private async Task FlushedAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        if (grouped)
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
            }
        }
    }

    /// <summary>
    /// Runs work on a pooled connection, in a transaction when asked (committed when the work returns, rolled back when it throws),
    /// running it again after a deadlock, and wrapping provider errors in <see cref="StorageException"/>.
    /// </summary>
    /// <remarks>
    /// A transient failure (a lost connection, a database restarting or refusing connections, a timeout) is retried with
    /// exponential backoff for up to <see cref="PostgreSqlStudyStorageOptions.TransientRetryTimeout"/> when
    /// <paramref name="retryTransient"/> is set: only for work that is safe to run again after an unknown outcome.
    /// </remarks>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction?, CancellationToken, Task<T>> work, bool transaction, CancellationToken cancellationToken, bool retryTransient = true, bool durable = false)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        int transient = 0;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
                NpgsqlConnection conn = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (conn.ConfigureAwait(false))
                {
                    if (!transaction)
                    {
                        return await work(conn, null, cancellationToken).ConfigureAwait(false);
                    }

                    NpgsqlTransaction tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await using (tx.ConfigureAwait(false))
                    {
                        if (grouped && !durable)
                        {
                            // Before any lock is taken: the commit then releases the study row without waiting for the disk.
                            using NpgsqlCommand off = Command(conn, tx, "SET LOCAL synchronous_commit TO OFF");
                            await off.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }

                        T result = await work(conn, tx, cancellationToken).ConfigureAwait(false);

                        // Not cancellable: once the work is done, its result is committed or the call fails.
                        await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                        AfterCommit?.Invoke();
                        if (grouped && !durable)
                        {
                            // The commit was asynchronous: wait for the disk, outside the transaction's locks.
                            using NpgsqlCommand flush = Command(conn, null, "SELECT txid_current()");
                            await flush.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                        }

                        return result;
                    }
                }
            }
            catch (NpgsqlException e) when (IsDeadlock(e) && attempt < deadlockRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * (attempt + 1)), cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (retryTransient && IsTransient(e) && !cancellationToken.IsCancellationRequested
                && System.Diagnostics.Stopwatch.GetElapsedTime(started) < transientRetryTimeout)
            {
                // 50 ms, 100 ms, 200 ms, … up to 5 s, with jitter so that many workers do not reconnect in step.
                double ms = Math.Min(5000, 50 * Math.Pow(2, Math.Min(transient++, 10)));
                await Task.Delay(TimeSpan.FromMilliseconds(ms * (0.5 + (Random.Shared.NextDouble() / 2))), cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested || e.InnerException is not OperationCanceledException)
            {
                throw new StorageException($"The {Description} failed: {e.Message}", e);
            }
        }
    }

    private async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (schemaReady)
        {
            return;
        }

        await schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (schemaReady)
            {
                return;
            }

            NpgsqlConnection conn = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (conn.ConfigureAwait(false))
            {
                if (!migrateSchema)
                {
                    await CheckSchemaWithoutMigratingAsync(conn, cancellationToken).ConfigureAwait(false);
                    schemaReady = true;
                    return;
                }

                NpgsqlTransaction tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (tx.ConfigureAwait(false))
                {
                    // Workers that start at once queue here; the first creates the schema, the others find it.
                    using (NpgsqlCommand cmd = Command(conn, tx, "SELECT pg_advisory_xact_lock(@key); CREATE TABLE IF NOT EXISTS hpo_schema (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", P("key", PostgreSqlSchema.AdvisoryLockKey)))
                    {
                        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    int current;
                    using (NpgsqlCommand cmd = Command(conn, tx, "SELECT COALESCE(MAX(version), 0) FROM hpo_schema"))
                    {
                        current = (int)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                    }

                    if (current > PostgreSqlSchema.Version)
                    {
                        throw new StorageException($"The {Description} uses Hpo schema version {current}, which is newer than this Hpo understands ({PostgreSqlSchema.Version}). Upgrade Hpo to open it.");
                    }

                    for (int v = current; v < PostgreSqlSchema.Version; v++)
                    {
                        using NpgsqlCommand migrate = Command(conn, tx, PostgreSqlSchema.Migrations[v] + "; INSERT INTO hpo_schema (version) VALUES (@v)", P("v", v + 1));
                        await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            schemaReady = true;
        }
        finally
        {
            schemaLock.Release();
        }
    }

    /// <summary>For a reader: the schema must exist and be this release's; nothing is created, upgraded or locked.</summary>
    private async ValueTask CheckSchemaWithoutMigratingAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        using NpgsqlCommand exists = Command(conn, null, "SELECT to_regclass('hpo_schema') IS NOT NULL");
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            throw new StorageException($"The {Description} holds no Hpo schema, and this storage was opened without migrating (a reader never creates one). Create a study in it first (hpo create, or a worker).");
        }

        using NpgsqlCommand cmd = Command(conn, null, "SELECT COALESCE(MAX(version), 0) FROM hpo_schema");
        int current = (int)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (current > PostgreSqlSchema.Version)
        {
            throw new StorageException($"The {Description} uses Hpo schema version {current}, which is newer than this Hpo understands ({PostgreSqlSchema.Version}). Upgrade Hpo to open it.");
        }

        if (current < PostgreSqlSchema.Version)
        {
            throw new StorageException($"The {Description} uses Hpo schema version {current}; this Hpo reads version {PostgreSqlSchema.Version}, and a reader does not upgrade a database under the workers that may still use it. Use the Hpo release that wrote it, or let a writer of this release (a worker, hpo create) upgrade it once the old workers are stopped.");
        }
    }
}
