using Hpo.Internal;

namespace Hpo.Tests.Internal;

public sealed class SecretsTests
{
    [Theory]
    [InlineData("postgresql://hpo:s3cret@db/studies", "postgresql://hpo:***@db/studies")]
    [InlineData("postgresql://hpo:p@ss@db/studies", "postgresql://hpo:***@db/studies")]
    [InlineData("postgresql://hpo:pa/ss@db/studies", "postgresql://hpo:***@db/studies")]
    [InlineData("postgresql://hpo:pa/s@s?x@db:5432/studies", "postgresql://hpo:***@db:5432/studies")]
    [InlineData("postgresql://hpo:p%40ss@db/studies", "postgresql://hpo:***@db/studies")]
    [InlineData("postgresql://hpo@db/studies?password=s3cret", "postgresql://hpo@db/studies?password=***")]
    [InlineData("postgresql://hpo@db/studies?sslmode=require&PASSWORD=s3cret&application_name=w", "postgresql://hpo@db/studies?sslmode=require&PASSWORD=***&application_name=w")]
    [InlineData("postgresql://hpo@db/studies?sslpassword=s3cret", "postgresql://hpo@db/studies?sslpassword=***")]
    [InlineData("postgresql://hpo:s3cret@db/studies?application_name=a@b", "postgresql://hpo:***@db/studies?application_name=a@b")]
    [InlineData("postgresql://db/studies", "postgresql://db/studies")]
    [InlineData("sqlite:///data/hpo.db", "sqlite:///data/hpo.db")]
    [InlineData("Host=db;Username=hpo;Password=s3cret;Database=d", "Host=db;Username=hpo;Password=***;Database=d")]
    [InlineData("Host=db;pwd = s3cret", "Host=db;pwd = ***")]
    [InlineData("failed: got 'postgresql://u:s3cret@h/d'. Use another.", "failed: got 'postgresql://u:***@h/d'. Use another.")]
    [InlineData("(from --storage postgresql://u:s3cret@h/d).", "(from --storage postgresql://u:***@h/d).")]
    [InlineData("two: postgresql://a:s3cret@h/d and mysql://b:0ther@h/d", "two: postgresql://a:***@h/d and mysql://b:***@h/d")]
    [InlineData("no secrets here: 10:30, a@b, x=1", "no secrets here: 10:30, a@b, x=1")]
    public void Redact_MasksEveryCredentialItRecognizes(string text, string expected) => Assert.Equal(expected, Secrets.Redact(text));

    [Fact]
    public void Find_UrlPassword_AsWrittenAndDecoded()
    {
        IReadOnlyList<string> found = Secrets.Find("postgresql://hpo:p%40ss%2Fword@db/studies?password=another1");

        Assert.Contains("p%40ss%2Fword", found);
        Assert.Contains("p@ss/word", found);
        Assert.Contains("another1", found);
    }

    [Fact]
    public void Find_ShortPassword_LeftToThePatterns() => Assert.Empty(Secrets.Find("postgresql://hpo:abc@db/studies"));
}
