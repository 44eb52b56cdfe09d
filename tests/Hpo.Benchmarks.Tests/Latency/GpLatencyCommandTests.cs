using System.Text.Json;
using Hpo.Benchmarks.Latency;

namespace Hpo.Benchmarks.Tests.Latency;

public class GpLatencyCommandTests
{
    [Fact]
    public void Run_TwoSizes_PrintsOneJsonLinePerSizeWithTrialsAndSuggestMs()
    {
        var output = new StringWriter();

        int code = GpLatencyCommand.Run(["--dims", "2", "--trials", "12,15", "--repeats", "1"], output);

        Assert.Equal(0, code);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        int[] sizes = [12, 15];
        for (int i = 0; i < 2; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(lines[i]);
            Assert.Equal(sizes[i], doc.RootElement.GetProperty("trials").GetInt32());
            Assert.Equal(2, doc.RootElement.GetProperty("dims").GetInt32());
            Assert.True(doc.RootElement.GetProperty("suggest_ms").GetDouble() > 0);
            Assert.True(doc.RootElement.GetProperty("suggest_warm_ms").GetDouble() > 0);
        }
    }

    [Theory]
    [InlineData("--trials", "0")]
    [InlineData("--trials", "ten")]
    [InlineData("--dims", "-1")]
    public void Run_BadArguments_ThrowUsageException(string option, string value)
    {
        Assert.Throws<UsageException>(() => GpLatencyCommand.Run([option, value], new StringWriter()));
    }

    [Fact]
    public void Smooth_IsSmallestNearItsCentreLine()
    {
        double centre = GpLatencyCommand.Smooth([0.2, 0.8]);
        double corner = GpLatencyCommand.Smooth([1.0, 0.0]);

        Assert.True(centre < corner);
    }
}
