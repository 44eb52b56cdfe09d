namespace Hpo.PostgreSql;

/// <summary>The versioned schema: the migrations that bring a database from one version to the next, embedded as SQL files.</summary>
internal static class PostgreSqlSchema
{
    /// <summary>The key of the transaction-level advisory lock that serializes schema creation and migration across workers.</summary>
    public const long AdvisoryLockKey = 0x68706F5F736368; // "hpo_sch"

    /// <summary>
    /// The base of the keys of the studies' advisory locks, which order the groups of finish-and-start requests: a study's key is this
    /// plus its id. The functions below spell it out (<c>7526752014741569536 + p_study</c>); it must not change once released.
    /// </summary>
    public const long StudyLockKeyBase = 7526752014741569536;

    /// <summary>
    /// The migrations, in order: migration i brings the schema from version i to version i + 1. Nothing has been released, so the
    /// schema is one version, whose SQL is embedded from <c>Schema/*.sql</c> (applied in file-name order: the tables, then the
    /// functions). A later release adds a migration here, with its own embedded files; released versions never change.
    /// </summary>
    public static readonly IReadOnlyList<string> Migrations = [Embedded("1-tables.sql") + Embedded("2-functions.sql")];

    /// <summary>The statuses the functions return.</summary>
    internal static class Status
    {
        public const int Ok = 0;
        public const int NotFound = 1;
        public const int Finished = 2;
        public const int HasParameters = 3;
        public const int LeasesExpired = 4;
        public const int BudgetFull = 5;
        public const int NoRequest = 6;
    }

    /// <summary>Gets the schema version this release reads and writes.</summary>
    public static int Version => Migrations.Count;

    private static string Embedded(string file)
    {
        string name = "Hpo.PostgreSql.Schema." + file;
        using Stream stream = typeof(PostgreSqlSchema).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded schema file '{name}' is missing from Hpo.PostgreSql.dll: the package is damaged.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd() + "\n";
    }
}
