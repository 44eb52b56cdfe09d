using Hpo.PostgreSql.Tests.Support;
using Hpo.Storage;
using Hpo.Tests.Shared;

namespace Hpo.PostgreSql.Tests;

/// <summary>The read-query capability in PostgreSQL's SQL agrees with <see cref="TrialQuery.Apply"/> on random queries.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlTrialQueryTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    [Fact]
    public async Task QueryTrialsAsync_AgreesWithTheReferenceOnRandomQueries()
    {
        await using var storage = new PostgreSqlStudyStorage(await database.NewSchemaAsync());
        StudyRecord study = await TrialQueryCases.SeedAsync(storage, "diff");

        Assert.IsAssignableFrom<IStudyQueryStorage>(storage);
        await TrialQueryCases.AssertAgreeAsync(storage.AsQueryStorage(), storage, study, seed: 3, count: 300);
    }

    [Fact]
    public async Task QueryTrialsAsync_BadParameter_ThrowsNamingTheField()
    {
        await using var storage = new PostgreSqlStudyStorage(await database.NewSchemaAsync());
        StudyRecord study = await TrialQueryCases.SeedAsync(storage, "bad", trials: 10);

        ArgumentException e = await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await storage.QueryTrialsAsync(study.Id, new TrialQuery { Filter = new TrialFilter { Parameters = new Dictionary<string, ValueRange> { ["colour"] = new(0, 1) } } }, default));

        Assert.Equal("param:colour", e.ParamName);
    }
}
