using Hpo.Execution.ChildProcess;

namespace Hpo.Tests.Execution.ChildProcess;

public sealed class LineReaderTests
{
    private static async Task<List<(string Text, bool Overlong)>> ReadAllAsync(string text, int maxLength)
    {
        var reader = new LineReader(new StringReader(text), maxLength);
        var lines = new List<(string, bool)>();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    [Fact]
    public async Task ReadLineAsync_MixedLineBreaks_SplitsOnNewlineAndDropsCarriageReturn()
    {
        List<(string Text, bool Overlong)> lines = await ReadAllAsync("a\r\nb\n\nlast", 100);

        Assert.Equal([("a", false), ("b", false), (string.Empty, false), ("last", false)], lines);
    }

    [Fact]
    public async Task ReadLineAsync_LineLongerThanLimit_ComesOutInOverlongPieces()
    {
        string huge = new('x', 50_000);

        List<(string Text, bool Overlong)> lines = await ReadAllAsync(huge + "\nhpo:result 1\n", 10_000);

        Assert.All(lines[..^1], l => Assert.True(l.Overlong));
        Assert.All(lines, l => Assert.True(l.Text.Length <= 10_000 + 8192));
        Assert.Equal(huge, string.Concat(lines[..^1].Select(l => l.Text)));
        Assert.Equal(("hpo:result 1", false), lines[^1]);
    }
}
