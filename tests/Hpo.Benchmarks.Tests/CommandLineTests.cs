namespace Hpo.Benchmarks.Tests;

public class CommandLineTests
{
    [Fact]
    public void String_GivenAsPairOrWithEquals_ReturnsTheValue()
    {
        var cl = new CommandLine("t", ["--a", "1", "--b=two"], "a", "b", "c");

        Assert.Equal("1", cl.String("a"));
        Assert.Equal("two", cl.String("b"));
        Assert.Equal("d", cl.String("c", "d"));
        Assert.False(cl.Has("c"));
    }

    [Fact]
    public void Constructor_UnknownOption_ThrowsListingKnownOnes()
    {
        var e = Assert.Throws<UsageException>(() => new CommandLine("t", ["--z", "1"], "a"));
        Assert.Contains("--a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RepeatedOption_Throws()
    {
        Assert.Throws<UsageException>(() => new CommandLine("t", ["--a", "1", "--a", "2"], "a"));
    }

    [Fact]
    public void Constructor_MissingValue_Throws()
    {
        Assert.Throws<UsageException>(() => new CommandLine("t", ["--a"], "a"));
    }

    [Fact]
    public void PositiveInt_Required_ThrowsWhenAbsentOrNotPositive()
    {
        Assert.Throws<UsageException>(() => new CommandLine("t", [], "n").PositiveInt("n"));
        Assert.Throws<UsageException>(() => new CommandLine("t", ["--n", "-1"], "n").PositiveInt("n"));
        Assert.Equal(5, new CommandLine("t", ["--n", "5"], "n").PositiveInt("n"));
    }

    [Fact]
    public void Constructor_Typo_NamesTheClosestOption()
    {
        var e = Assert.Throws<UsageException>(() => new CommandLine("suite", ["--seeds", "1", "--tunr", "gp"], "tuner", "seeds", "out"));

        Assert.Contains("unknown option --tunr", e.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean --tuner?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_StrayWord_Throws()
    {
        var e = Assert.Throws<UsageException>(() => new CommandLine("t", ["--a", "1", "two"], "a"));

        Assert.Contains("'two'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void String_ValueThatStartsWithDashes_IsTakenAsIs()
    {
        var cl = new CommandLine("executor-overhead", ["--container-args", "--cpus 2 --memory 1g"], "container-args");

        Assert.Equal("--cpus 2 --memory 1g", cl.String("container-args"));
    }
}
