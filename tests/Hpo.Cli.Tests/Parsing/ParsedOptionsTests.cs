using Hpo.Cli.Parsing;

namespace Hpo.Cli.Tests.Parsing;

public sealed class ParsedOptionsTests
{
    private static readonly OptionSpec[] Specs =
    [
        new("--storage", "URL", "storage", Required: true),
        new("--count", "N", "count"),
        new("--rate", "X", "rate"),
        new("--mode", "MODE", "mode"),
        new("--arg", "ARGS", "arg", Repeatable: true),
        new("--wait", "DURATION", "wait"),
    ];

    private static readonly KeyValuePair<string, DayOfWeek>[] Days = [KeyValuePair.Create("monday", DayOfWeek.Monday), KeyValuePair.Create("friday", DayOfWeek.Friday)];

    [Fact]
    public void Parse_SeparateAndInlineValues_ReadsBoth()
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "sqlite:///a.db", "--count=3", "--mode=a=b"], Specs);

        Assert.False(options.HelpRequested);
        Assert.Equal("sqlite:///a.db", options.Get("--storage"));
        Assert.Equal(3, options.GetInt32("--count"));
        Assert.Equal("a=b", options.Get("--mode"));
        Assert.Null(options.Get("--rate"));
        Assert.Null(options.GetPositiveDouble("--rate"));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public void Parse_HelpAnywhere_WinsOverEveryOtherProblem(string help)
    {
        ParsedOptions options = ParsedOptions.Parse(["--nope", "positional", help, "--count"], Specs);

        Assert.True(options.HelpRequested);
    }

    [Theory]
    [InlineData("Unknown option '--nope'", "--storage", "x", "--nope", "1")]
    [InlineData("Unexpected argument 'stray'", "--storage", "x", "stray")]
    [InlineData("Unexpected argument '--'", "--storage", "x", "--")]
    [InlineData("Option '--count' needs a value (N)", "--storage", "x", "--count")]
    [InlineData("Option '--count' needs a value (N)", "--count", "--storage", "x")]
    [InlineData("needs a value (N), but got an empty one", "--storage", "x", "--count=")]
    [InlineData("Option '--count' is given twice ('1' and '2')", "--storage", "x", "--count", "1", "--count", "2")]
    [InlineData("Option '--storage URL' is required", "--count", "1")]
    public void Parse_MalformedArguments_ThrowsAUsageErrorThatSaysWhy(string message, params string[] arguments)
    {
        UsageException error = Assert.Throws<UsageException>(() => ParsedOptions.Parse(arguments, Specs));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x", "whole number")]
    [InlineData("1.5", "whole number")]
    [InlineData("99999999999", "whole number")]
    [InlineData("0", "at least 1")]
    public void GetInt32_BadValue_ThrowsAUsageError(string value, string message)
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x", "--count", value], Specs);

        UsageException error = Assert.Throws<UsageException>(() => options.GetInt32("--count", minimum: 1));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("2,5")]
    [InlineData("fast")]
    public void GetPositiveDouble_NotAPositiveNumber_ThrowsAUsageError(string value)
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x", "--rate", value], Specs);

        Assert.Throws<UsageException>(() => options.GetPositiveDouble("--rate"));
    }

    [Theory]
    [InlineData("2.5", 2.5)]
    [InlineData("1e-1", 0.1)]
    public void GetPositiveDouble_Number_ReadsItWithAPoint(string value, double expected)
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x", "--rate", value], Specs);

        Assert.Equal(expected, options.GetPositiveDouble("--rate"));
    }

    [Fact]
    public void GetChoice_AnyCase_ReturnsTheChoice()
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x", "--mode", "FriDay"], Specs);

        Assert.Equal(DayOfWeek.Friday, options.GetChoice("--mode", Days));
    }

    [Fact]
    public void GetChoice_UnknownWord_ThrowsListingTheChoices()
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x", "--mode", "sunday"], Specs);

        UsageException error = Assert.Throws<UsageException>(() => options.GetChoice("--mode", Days));

        Assert.Equal("Option '--mode' must be one of monday, friday, but got 'sunday'.", error.Message);
    }

    [Fact]
    public void GetRequired_Missing_ThrowsAUsageError()
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x"], Specs);

        Assert.Throws<UsageException>(() => options.GetRequired("--mode"));
    }

    [Fact]
    public void Parse_RepeatableOption_KeepsEveryValueInOrderEvenWhenItStartsWithDashes()
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x", "--arg", "--ulimit nofile=1024:1024", "--arg=--network=none", "--arg", "b"], Specs);

        Assert.Equal(["--ulimit nofile=1024:1024", "--network=none", "b"], options.GetAll("--arg"));
        Assert.Empty(options.GetAll("--mode"));
    }

    [Theory]
    [InlineData("90", 90.0)]
    [InlineData("1.5m", 90.0)]
    [InlineData("2h", 7200.0)]
    [InlineData("250ms", 0.25)]
    [InlineData("30s", 30.0)]
    public void GetDuration_NumberWithOptionalUnit_ReadsSeconds(string text, double seconds)
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x", "--wait", text], Specs);

        Assert.Equal(TimeSpan.FromSeconds(seconds), options.GetDuration("--wait"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3s")]
    [InlineData("soon")]
    [InlineData("5d")]
    public void GetDuration_NotAPositiveDuration_UsageErrorNamingTheUnits(string text)
    {
        ParsedOptions options = ParsedOptions.Parse(["--storage", "x", "--wait", text], Specs);

        UsageException e = Assert.Throws<UsageException>(() => options.GetDuration("--wait"));
        Assert.Contains("(ms, s, m, h", e.Message, StringComparison.Ordinal);
    }
}
