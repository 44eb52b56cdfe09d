using Hpo.Cli.Parsing;

namespace Hpo.Cli.Tests.Parsing;

public sealed class TypoCorrectionTests
{
    [Theory]
    [InlineData("status", "status", 0)]
    [InlineData("stauts", "status", 1)]
    [InlineData("statu", "status", 1)]
    [InlineData("xstatus", "status", 1)]
    [InlineData("satus", "status", 1)]
    [InlineData("abc", "xyz", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_Words_CountsEdits(string a, string b, int expected)
    {
        Assert.Equal(expected, TypoCorrection.Distance(a, b));
        Assert.Equal(expected, TypoCorrection.Distance(b, a));
    }

    [Fact]
    public void Closest_Typo_NearestFirstAtMostTwo()
    {
        string[] options = ["--storage", "--study", "--state", "--format"];

        Assert.Equal(["--study"], TypoCorrection.Closest("--stuudy", options));
        Assert.Equal(["--state"], TypoCorrection.Closest("--stat", options));
        Assert.Empty(TypoCorrection.Closest("--zzzzzz", options));
    }

    [Fact]
    public void Closest_ExactWord_IsNotSuggested()
    {
        Assert.Empty(TypoCorrection.Closest("--study", ["--study"]));
    }
}
