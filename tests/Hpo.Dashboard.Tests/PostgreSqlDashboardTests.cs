using System.Text.Json;
using Hpo.PostgreSql;
using Hpo.Storage;
using Hpo.Tests.Shared;
using Hpo.Trials;
using Npgsql;

namespace Hpo.Dashboard.Tests;

/// <summary>The dashboard's API over a real PostgreSQL storage, written by several concurrent writers.</summary>
public sealed class PostgreSqlDashboardTests
{
    [PostgreSqlFact]
    public async Task Api_OverPostgreSql_MatchesTheStorageAndSeesNewTrials()
    {
        string admin = PostgreSqlFactAttribute.RequiredConnectionString;
        string database = "hpo_dash_" + Guid.NewGuid().ToString("N")[..12];
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", conn);
            await create.ExecuteNonQueryAsync();
        }

        string connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        try
        {
            var storage = new PostgreSqlStudyStorage(connectionString);
            StudyRecord study = await SyntheticStudy.CreateAsync(storage, "pg", 200, workers: 4, seed: 2);
            await using RunningDashboard d = await RunningDashboard.StartAsync(storage);
            TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, default);
            TrialRecord best = (await storage.GetBestTrialAsync(study.Id, default))!;

            JsonElement summary = await d.GetJsonAsync("/api/studies/pg");
            JsonElement page = await d.GetJsonAsync("/api/studies/pg/trials?sort=value&limit=3");

            Assert.Equal(counts.Total, summary.GetProperty("counts").GetProperty("total").GetInt32());
            Assert.Equal(counts.Stale, summary.GetProperty("counts").GetProperty("stale").GetInt32());
            Assert.Equal(best.Number, summary.GetProperty("best").GetProperty("number").GetInt32());
            Assert.Equal(best.Number, page.GetProperty("rows")[0].GetProperty("number").GetInt32());

            // Another connection adds trials; the dashboard reads only the changes and sees them.
            await using (var writer = new PostgreSqlStudyStorage(connectionString))
            {
                await SyntheticStudy.AddTrialsAsync(writer, study, 30, workers: 2, seed: 8);
            }

            int expected = (await storage.GetTrialCountsAsync(study.Id, default)).Total;
            await Task.Delay(400);
            JsonElement after = await d.GetJsonAsync("/api/studies/pg/trials?limit=1&order=desc");
            Assert.Equal(expected, after.GetProperty("total").GetInt32());
            Assert.Equal(expected - 1, after.GetProperty("rows")[0].GetProperty("number").GetInt32());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(admin);
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", conn);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
