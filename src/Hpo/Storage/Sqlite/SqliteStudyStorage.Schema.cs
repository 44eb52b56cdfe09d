using Microsoft.Data.Sqlite;

namespace Hpo.Storage.Sqlite;

/// <summary>The versioned schema of the file (table <c>hpo_schema</c>): created, upgraded step by step, or checked by a reader.</summary>
public sealed partial class SqliteStudyStorage
{
    private void InitializeSchema(SqlitePooledConnection conn)
    {
        if (!options.MigrateSchema)
        {
            CheckSchemaWithoutMigrating(conn);
            return;
        }

        using SqliteWriteTransaction tx = conn.BeginTransaction();
        Exec(conn, tx, "CREATE TABLE IF NOT EXISTS hpo_schema (version INTEGER NOT NULL)");
        SqliteCommand v = Command(conn, tx, "SELECT MAX(version) FROM hpo_schema");
        object? existing = v.ExecuteScalar();
        if (existing is long version)
        {
            if (version > SchemaVersion)
            {
                throw new StorageException($"{FilePath} uses schema version {version}, which is newer than this Hpo understands ({SchemaVersion}). Upgrade Hpo to open it.");
            }

            // Migrations, step by step. Version 2 counts stale trials (lost workers) apart from failed ones.
            if (version < 2)
            {
                Exec(conn, tx, "ALTER TABLE studies ADD COLUMN n_stale INTEGER NOT NULL DEFAULT 0");
                Exec(conn, tx, "INSERT INTO hpo_schema (version) VALUES (2)");
            }

            tx.Commit();
            return;
        }

        Exec(conn, tx, """
            CREATE TABLE studies (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                definition TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                next_number INTEGER NOT NULL DEFAULT 0,
                version INTEGER NOT NULL DEFAULT 0,
                n_waiting INTEGER NOT NULL DEFAULT 0,
                n_running INTEGER NOT NULL DEFAULT 0,
                n_complete INTEGER NOT NULL DEFAULT 0,
                n_pruned INTEGER NOT NULL DEFAULT 0,
                n_failed INTEGER NOT NULL DEFAULT 0,
                n_stale INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE trials (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                state INTEGER NOT NULL,
                params TEXT NOT NULL DEFAULT '{}',
                vals TEXT NOT NULL DEFAULT '[]',
                user_attrs TEXT NOT NULL DEFAULT '{}',
                system_attrs TEXT NOT NULL DEFAULT '{}',
                created_at INTEGER NOT NULL,
                started_at INTEGER,
                finished_at INTEGER,
                owner TEXT,
                heartbeat INTEGER,
                fail_reason TEXT,
                exception_type TEXT,
                version INTEGER NOT NULL,
                UNIQUE (study_id, number)
            );
            CREATE INDEX ix_trials_study_state ON trials (study_id, state);
            CREATE INDEX ix_trials_study_version ON trials (study_id, version);
            CREATE TABLE trial_values (
                trial_id INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
                step INTEGER NOT NULL,
                value REAL,
                PRIMARY KEY (trial_id, step)
            ) WITHOUT ROWID;
            """);
        Exec(conn, tx, "INSERT INTO hpo_schema (version) VALUES ($v)", ("$v", SchemaVersion));
        tx.Commit();
    }

    /// <summary>For a reader: the schema must exist and be this release's; nothing is created or upgraded.</summary>
    private void CheckSchemaWithoutMigrating(SqlitePooledConnection conn)
    {
        SqliteCommand exists = Command(conn, null, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'hpo_schema'");
        if (exists.ExecuteScalar() is not long n || n == 0)
        {
            throw new StorageException($"{FilePath} holds no Hpo schema, and this storage was opened without migrating (a reader never creates one). Create a study in it first (hpo create, or a worker).");
        }

        SqliteCommand v = Command(conn, null, "SELECT MAX(version) FROM hpo_schema");
        long version = v.ExecuteScalar() is long found ? found : 0;
        if (version > SchemaVersion)
        {
            throw new StorageException($"{FilePath} uses schema version {version}, which is newer than this Hpo understands ({SchemaVersion}). Upgrade Hpo to open it.");
        }

        if (version < SchemaVersion)
        {
            throw new StorageException($"{FilePath} uses schema version {version}; this Hpo reads version {SchemaVersion}, and a reader does not upgrade a database under the workers that may still use it. Use the Hpo release that wrote it, or let a writer of this release (a worker, hpo create) upgrade it once the old workers are stopped.");
        }
    }
}
