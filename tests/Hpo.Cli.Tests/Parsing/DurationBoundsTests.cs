using Hpo.Cli.Parsing;

namespace Hpo.Cli.Tests.Parsing;

/// <summary>
/// Duration options beyond what the tool can honour (a .NET timer waits at most 49.7 days; a lease at most a day) are usage errors
/// that name the option, the bound and the value, not a trial that fails at once or an overflow with a stack trace.
/// </summary>
public sealed class DurationBoundsTests
{
    [Theory]
    [InlineData("worker", "--timeout", "1200h", "at most 49 days")]
    [InlineData("worker", "--timeout", "1e308", "at most 49 days")]
    [InlineData("worker", "--timeout", "1e308h", "at most 49 days")]
    [InlineData("worker", "--timeout", "80e3m", "at most 49 days")]
    [InlineData("worker", "--grace-period", "2h", "at most 1h")]
    [InlineData("worker", "--grace-period", "1e308", "at most 1h")]
    [InlineData("create", "--lease", "1e308", "at most 24h")]
    [InlineData("create", "--lease", "25h", "at most 24h")]
    [InlineData("create", "--lease", "NaN", "positive duration")]
    [InlineData("create", "--lease", "Infinity", "positive duration")]
    [InlineData("create", "--lease", "50ms", "at least 0.1s")]
    public async Task Command_DurationOutOfBounds_UsageErrorNamingOptionBoundAndValue(string command, string option, string value, string rule)
    {
        string[] rest = command == "worker"
            ? ["--storage", "sqlite:///nowhere.db", "--study", "s", "--command", "true", option, value]
            : ["--storage", "sqlite:///nowhere.db", "--study", "s", "--space", "space.json", "--direction", "minimize", option, value];

        CliResult result = await Cli.RunAsync([command, .. rest]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"Option '{option}'", result.Error, StringComparison.Ordinal);
        Assert.Contains(rule, result.Error, StringComparison.Ordinal);
        Assert.Contains(value, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void GetDuration_AtTheBound_IsAccepted()
    {
        ParsedOptions options = ParsedOptions.Parse(["--wait", "1176h"], [new("--wait", "DURATION", "wait")]);

        Assert.Equal(TimeSpan.FromDays(49), options.GetDuration("--wait"));
    }
}
