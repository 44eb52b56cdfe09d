namespace Hpo.Dashboard.Tests;

public sealed class StorageNameTests
{
    [Theory]
    [InlineData("postgresql://hpo:s3cret@db.example:5432/studies", "postgresql://hpo:***@db.example:5432/studies")]
    [InlineData("postgres://hpo:p%40ss@db/studies?sslmode=require", "postgres://hpo:***@db/studies?sslmode=require")]
    [InlineData("postgresql://db/studies?user=hpo&password=s3cret", "postgresql://db/studies?user=hpo&password=***")]
    [InlineData("postgresql://hpo@db/studies", "postgresql://hpo@db/studies")]
    [InlineData("sqlite:////var/lib/hpo/studies.db", "sqlite:////var/lib/hpo/studies.db")]
    [InlineData("memory", "memory")]
    public void Redact_RemovesOnlyThePassword(string url, string expected) => Assert.Equal(expected, Hpo.Storage.StudyStorage.Redact(url));
}
