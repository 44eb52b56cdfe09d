using Hpo.Execution.ChildProcess;

namespace Hpo.Tests.Execution.ChildProcess;

public sealed class ChildProcessExecutorOptionsTests
{
    [Fact]
    public void Constructor_EveryProblem_ReportedInOneException()
    {
        var options = new ChildProcessExecutorOptions { Command = [], GracePeriod = TimeSpan.FromSeconds(-1), LogTailLength = -1 };

        ArgumentException e = Assert.Throws<ArgumentException>(() => new ChildProcessExecutor(options));

        Assert.StartsWith("The 'ChildProcessExecutorOptions' are invalid.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Command", e.Message, StringComparison.Ordinal);
        Assert.Contains("GracePeriod", e.Message, StringComparison.Ordinal);
        Assert.Contains("LogTailLength", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{trial}", "unknown placeholder")]
    [InlineData("--lr={param:}", "unknown placeholder")]
    [InlineData("{trial_number", "not closed")]
    [InlineData("a}b", "closes nothing")]
    public void Constructor_BadPlaceholder_NamesTheElement(string element, string problem)
    {
        var options = new ChildProcessExecutorOptions { Command = ["train", element] };

        ArgumentException e = Assert.Throws<ArgumentException>(() => new ChildProcessExecutor(options));

        Assert.Contains(element, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_KnownPlaceholdersAndEscapedBraces_Accepted()
    {
        var options = new ChildProcessExecutorOptions
        {
            Command = ["train", "--n={trial_number}", "{study_name}", "{artifacts_dir}/m", "{parameters_file}", "{search_space_file}", "--lr={param:lr}", "{{literal}}"],
        };

        Assert.NotNull(new ChildProcessExecutor(options));
    }

    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new ChildProcessExecutorOptions();

        Assert.Equal(TimeSpan.FromSeconds(5), options.GracePeriod);
        Assert.Equal(4096, options.LogTailLength);
        Assert.Null(options.ArtifactsRoot);
        Assert.Empty(options.Environment);
    }
}
