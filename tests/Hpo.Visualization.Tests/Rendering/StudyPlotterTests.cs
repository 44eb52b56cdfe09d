using System.Xml.Linq;
using Hpo.SearchSpaces;
using Hpo.Trials;
using Hpo.Visualization.Rendering;

namespace Hpo.Visualization.Tests.Rendering;

public sealed class StudyPlotterTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static TheoryData<PlotKind> Kinds() => [.. Enum.GetValues<PlotKind>()];

    private static StudyData Mixed()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddFloat("lr", 1e-4, 1e-1, log: true)
            .AddCategorical("opt", "sgd", "adam")
            .AddFloat("beta", 0.5, 0.9, condition: ParameterCondition.When("opt", "adam"))
            .Build();
        var s = new Studies(space);
        var random = new Random(4);
        for (int i = 0; i < 40; i++)
        {
            bool adam = random.Next(2) == 1;
            var p = new Dictionary<string, object> { ["lr"] = Math.Pow(10, -4 + (3 * random.NextDouble())), ["opt"] = adam ? "adam" : "sgd" };
            if (adam)
            {
                p["beta"] = 0.5 + (0.4 * random.NextDouble());
            }

            TrialState state = i % 7 == 3 ? TrialState.Pruned : i % 11 == 5 ? TrialState.Failed : i % 13 == 6 ? TrialState.Stale : TrialState.Complete;
            double value = random.NextDouble();
            s.Add(state, state is TrialState.Complete ? value : null, p, start: i, end: i + 1.5, owner: $"w{i % 3}",
                intermediate: new Dictionary<long, double> { [0] = value + 1, [1] = value + 0.5, [2] = state == TrialState.Pruned ? double.NaN : value },
                retryOf: i % 13 == 7 ? i - 1 : null, heartbeat: i + 0.5);
        }

        return s.Build(takenAt: 60);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RenderPng_EveryKind_IsAPngOfTheRequestedSize(PlotKind kind)
    {
        byte[] png = StudyPlotter.RenderPng(Mixed(), kind, new PlotOptions { Width = 640, Height = 400 });

        Assert.Equal(PngSignature, png[..8]);
        // The IHDR chunk holds the width and height, big-endian.
        Assert.Equal(640, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
        Assert.Equal(400, (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RenderSvg_EveryKind_IsWellFormedAndNaNFree(PlotKind kind)
    {
        string svg = StudyPlotter.RenderSvg(Mixed(), kind);

        XDocument doc = XDocument.Parse(svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", svg, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RenderSvg_EmptyStudy_SaysSoWithoutFailing(PlotKind kind)
    {
        string svg = StudyPlotter.RenderSvg(new Studies(Studies.XY).Build(), kind);

        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
        Assert.Matches("No complete trial|at least two complete trials|No trial", svg);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RenderSvg_CategoricalOnlySpace_Renders(PlotKind kind)
    {
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("a", "x", "y", "z").AddCategorical("b", true, false).Build();
        var s = new Studies(space);
        for (int i = 0; i < 12; i++)
        {
            s.Add(TrialState.Complete, i % 4, new Dictionary<string, object> { ["a"] = new[] { "x", "y", "z" }[i % 3], ["b"] = i % 2 == 0 }, start: i, end: i + 1);
        }

        string svg = StudyPlotter.RenderSvg(s.Build(), kind);

        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSvg_ImportanceShowsParameterNames()
    {
        string svg = StudyPlotter.RenderSvg(Mixed(), PlotKind.Importance);

        string[] texts = [.. XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim())];
        Assert.Contains("lr", texts);
        Assert.Contains("opt", texts);
    }

    [Fact]
    public void RenderSvg_InvalidOptions_NamesTheProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => StudyPlotter.RenderSvg(Mixed(), PlotKind.History, new PlotOptions { Width = 5 }));

        Assert.Contains("Width must be between 100 and 10000 pixels, but got 5.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_UnknownExtension_Throws()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => StudyPlotter.SaveAsync(Mixed(), PlotKind.History, "plot.gif"));

        Assert.Contains("must end in .png or .svg", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thin_KeepsAtMostAboutMaxAndTheForcedItems()
    {
        List<int> picked = StudyPlotter.Thin(100_000, 1000, i => i == 12_345);

        Assert.InRange(picked.Count, 1000, 1001);
        Assert.Contains(12_345, picked);
    }

    [Fact]
    public void PlotKindsParse_UnknownName_ListsTheKinds()
    {
        var e = Assert.Throws<ArgumentException>(() => PlotKinds.Parse("pie"));

        Assert.Contains("history, importance, slice, parallel-coordinates, contour, intermediate, timeline", e.Message, StringComparison.Ordinal);
        Assert.Equal(PlotKind.ParallelCoordinates, PlotKinds.Parse("parallel-coordinates"));
    }
}
