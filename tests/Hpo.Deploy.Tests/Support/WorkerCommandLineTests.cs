namespace Hpo.Deploy.Tests.Support;

/// <summary>The contract parser the deploy files are checked with rejects what <c>hpo worker</c> rejects.</summary>
public sealed class WorkerCommandLineTests
{
    [Fact]
    public void Parse_FullCommandLine_ReadsEveryOption()
    {
        WorkerCommandLine line = WorkerCommandLine.Parse(
            ["--storage", "sqlite:///a.db", "--study", "s", "--image", "img:1", "--concurrency", "3", "--trials", "5", "--container-cli", "docker", "--container-arg", "--gpus", "--container-arg", "all"]);

        Assert.Equal("sqlite:///a.db", line.Storage);
        Assert.Equal("s", line.Study);
        Assert.Equal(3, line.Concurrency);
        Assert.Equal(["--gpus", "all"], line.ContainerArgs);
    }

    [Theory]
    [InlineData("--storage x --study s --command c --workers 2")]
    [InlineData("--storage x --study s")]
    [InlineData("--storage x --study s --command c --image i")]
    [InlineData("--storage x --command c")]
    [InlineData("--storage x --study s --command c --concurrency 0")]
    [InlineData("--storage x --study s --image i --container-cli lxc")]
    [InlineData("--storage x --study s --objective Train.dll")]
    [InlineData("--storage x --study s --command c --container-arg -v")]
    [InlineData("--storage x --study s --command")]
    public void Parse_BrokenCommandLine_Throws(string commandLine)
    {
        Assert.Throws<FormatException>(() => WorkerCommandLine.Parse(commandLine.Split(' ')));
    }
}
