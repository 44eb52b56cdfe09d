using System.Xml.Linq;

namespace Hpo.Cli.Tests.Commands;

public sealed class PlotCommandTests(DemoDatabase db) : IClassFixture<DemoDatabase>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("history")]
    [InlineData("importance")]
    [InlineData("slice")]
    [InlineData("parallel-coordinates")]
    [InlineData("contour")]
    [InlineData("intermediate")]
    [InlineData("timeline")]
    public async Task Plot_EveryKind_WritesAPng(string kind)
    {
        string file = Path.Combine(folder.Path, kind + ".png");

        CliResult r = await Cli.RunAsync("plot", kind, "--storage", db.Url, "--study", DemoDatabase.Demo, "--out", file, "--format", "json");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(kind, r.Json().GetProperty("plot").GetString());
        Assert.Equal(db.Trials.Count, r.Json().GetProperty("trials").GetInt32());
        byte[] png = await File.ReadAllBytesAsync(file);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public async Task Plot_SliceSvgOfAParameter_NamesIt()
    {
        string file = Path.Combine(folder.Path, "slice.svg");

        CliResult r = await Cli.RunAsync("plot", "slice", "--storage", db.Url, "--study", DemoDatabase.Demo, "--out", file, "--param", "layers");

        Assert.True(r.ExitCode == 0, r.ToString());
        XDocument svg = XDocument.Load(file);
        Assert.Contains(svg.Descendants().Where(e => e.Name.LocalName == "text"), e => e.Value.Trim() == "Slice: layers");
    }

    [Fact]
    public async Task Plot_UnknownKind_IsAUsageErrorListingTheKinds()
    {
        CliResult r = await Cli.RunAsync("plot", "pie", "--storage", db.Url, "--study", DemoDatabase.Demo, "--out", Path.Combine(folder.Path, "x.png"));

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("history, importance, slice, parallel-coordinates, contour, intermediate, timeline", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plot_UnknownStudy_FailsNamingTheStudies()
    {
        CliResult r = await Cli.RunAsync("plot", "history", "--storage", db.Url, "--study", "nope", "--out", Path.Combine(folder.Path, "x.png"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("There is no study named 'nope'", r.Error, StringComparison.Ordinal);
        Assert.Contains(DemoDatabase.Demo, r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plot_UnknownParameter_FailsNamingTheParameters()
    {
        CliResult r = await Cli.RunAsync("plot", "slice", "--storage", db.Url, "--study", DemoDatabase.Demo, "--out", Path.Combine(folder.Path, "x.png"), "--param", "momentum");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no parameter 'momentum'", r.Error, StringComparison.Ordinal);
        Assert.Contains("lr, layers, optimizer, beta1", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plot_WrongExtension_IsAUsageError()
    {
        CliResult r = await Cli.RunAsync("plot", "history", "--storage", db.Url, "--study", DemoDatabase.Demo, "--out", Path.Combine(folder.Path, "x.jpg"));

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("must name a .png or .svg file", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plot_EmptyStudy_WritesAnImageThatSaysSo()
    {
        string file = Path.Combine(folder.Path, "empty.svg");

        CliResult r = await Cli.RunAsync("plot", "history", "--storage", db.Url, "--study", DemoDatabase.Empty, "--out", file);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("No complete trial yet", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }
}
