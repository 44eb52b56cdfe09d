using Hpo.Deploy.Tests.Support;
using Hpo.Objectives;
using Hpo.PostgreSql;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Npgsql;

namespace Hpo.Deploy.Tests.Kubernetes;

/// <summary>
/// The ScaledObject's queries, run for real against a database whose schema Hpo's PostgreSQL storage created: they must count the
/// study's trials exactly as the storage does.
/// </summary>
public sealed class KedaQueryTests
{
    [PostgreSqlFact]
    public async Task WaitingAndRunningQuery_StudyWithTrialsInEveryState_ReturnsWaitingPlusRunning()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        TrialCounts counts = await database.PopulateAsync(budget: 20);

        long value = await database.ScalarAsync(KedaScaledObjectTests.Query("waiting-and-running"));

        Assert.Equal(2, counts.Waiting);
        Assert.Equal(3, counts.Running);
        Assert.Equal(counts.Waiting + counts.Running, value);
    }

    [PostgreSqlFact]
    public async Task RemainingBudgetQuery_StudyWithABudget_ReturnsBudgetMinusFinished()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        TrialCounts counts = await database.PopulateAsync(budget: 20);

        long value = await database.ScalarAsync(KedaScaledObjectTests.Query("remaining-budget"));

        Assert.Equal(3, counts.Finished);
        Assert.Equal(20 - counts.Finished, value);
    }

    [PostgreSqlFact]
    public async Task RemainingBudgetQuery_StudyWithoutABudget_ReturnsZero()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await database.PopulateAsync(budget: null);

        Assert.Equal(0, await database.ScalarAsync(KedaScaledObjectTests.Query("remaining-budget")));
        Assert.Equal(5, await database.ScalarAsync(KedaScaledObjectTests.Query("waiting-and-running")));
    }

    [PostgreSqlFact]
    public async Task Queries_StudyMissing_ReturnZeroRatherThanNoRow()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await database.PopulateAsync(budget: 20, studyName: "another-study");

        Assert.Equal(0, await database.ScalarAsync(KedaScaledObjectTests.Query("waiting-and-running")));
        Assert.Equal(0, await database.ScalarAsync(KedaScaledObjectTests.Query("remaining-budget")));
    }

    /// <summary>A fresh database on the test server, dropped at the end.</summary>
    private sealed class ScratchDatabase : IAsyncDisposable
    {
        private readonly string name;
        private readonly string admin;

        private ScratchDatabase(string name, string admin, string connectionString)
        {
            this.name = name;
            this.admin = admin;
            ConnectionString = connectionString;
        }

        public string ConnectionString { get; }

        public static async Task<ScratchDatabase> CreateAsync()
        {
            string admin = new NpgsqlConnectionStringBuilder(PostgreSqlFactAttribute.RequireConnectionString()) { Pooling = false }.ConnectionString;
            string name = "hpo_deploy_" + Guid.NewGuid().ToString("N")[..12];
            await using (var conn = new NpgsqlConnection(admin))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
                await cmd.ExecuteNonQueryAsync();
            }

            return new ScratchDatabase(name, admin, new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
        }

        /// <summary>
        /// Creates the manifests' study (and a decoy study with other counts) through Hpo's storage, with 2 waiting, 3 running,
        /// 1 complete, 1 pruned and 1 failed trial, and returns the counts the storage reports.
        /// </summary>
        public async Task<TrialCounts> PopulateAsync(int? budget, string? studyName = null)
        {
            string study = studyName ?? WorkerManifestTests.CommandLine(WorkerManifestTests.DeploymentFile).Study;
            ISearchSpace space = new SearchSpaceBuilder().AddFloat("x", -5, 5).Build();
            await using var storage = new PostgreSqlStudyStorage(new PostgreSqlStudyStorageOptions { ConnectionString = ConnectionString });

            Study decoy = await Study.CreateAsync(storage, "decoy", space, new StudyOptions { Budget = 100, Seed = 2 });
            for (int i = 0; i < 4; i++)
            {
                await decoy.EnqueueAsync(new Dictionary<string, object> { ["x"] = (double)i });
            }

            await decoy.AskAsync();

            Study s = await Study.CreateAsync(storage, study, space, new StudyOptions { Budget = budget, Seed = 1 });
            for (int i = 0; i < 5; i++)
            {
                await s.EnqueueAsync(new Dictionary<string, object> { ["x"] = i / 10.0 });
            }

            // Six claims: five take the waiting trials in order, the sixth is a new proposal.
            var running = new List<ITrial>();
            for (int i = 0; i < 6; i++)
            {
                running.Add(await s.AskAsync());
            }

            await s.TellAsync(running[0], 1.5);
            await s.TellAsync(running[1].Number, ObjectiveResult.Pruned(2.0));
            await s.TellFailedAsync(running[2].Number, "failed on purpose");

            // Two more waiting trials, enqueued after the claims.
            await s.EnqueueAsync(new Dictionary<string, object> { ["x"] = 0.7 });
            await s.EnqueueAsync(new Dictionary<string, object> { ["x"] = 0.8 });

            TrialCounts counts = await s.GetTrialCountsAsync();
            IReadOnlyList<TrialRecord> trials = await s.GetTrialsAsync();
            Assert.Equal(counts.Waiting, trials.Count(t => t.State == TrialState.Waiting));
            Assert.Equal(counts.Running, trials.Count(t => t.State == TrialState.Running));
            return counts;
        }

        public async Task<long> ScalarAsync(string sql)
        {
            await using var conn = new NpgsqlConnection(ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
            await using NpgsqlDataReader reader = await cmd.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), "The query returned no row.");
            Type type = reader.GetFieldType(0);
            Assert.True(type == typeof(int) || type == typeof(long), $"KEDA needs a number; the query returned {type.Name}.");
            long value = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
            Assert.False(await reader.ReadAsync(), "The query returned more than one row.");
            return value;
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(admin);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
