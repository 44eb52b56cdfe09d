using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

/// <summary>
/// Issue 13, third pass: the output transforms averaged by their leave-one-out evidence, the design switches used to
/// diagnose the tuner, and a proposal that does not depend on whether the horizon is known.
/// </summary>
public class TransformAveragingTests
{
    private static readonly GaussianProcessTunerOptions Fast = new() { StartupTrials = 5, Candidates = 256, Restarts = 2 };

    /// <summary>40 random points of the unit square with a smooth (linear) and an explosive (13 orders of magnitude) function's values.</summary>
    internal static (GaussianProcessSpace View, List<double[]> Observed, List<double> Smooth, List<double> Explosive) Data()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", 0, 1).AddFloat("y", 0, 1).Build();
        GaussianProcessSpace view = GaussianProcessSpace.For(new TunerContext(space, [], [StudyDirection.Minimize], 0, 0).Encoding);
        var random = new Random(5);
        var observed = new List<double[]>();
        var smooth = new List<double>();
        var explosive = new List<double>();
        for (int i = 0; i < 40; i++)
        {
            double a = random.NextDouble();
            double b = random.NextDouble();
            observed.Add([a, b]);
            smooth.Add((a - 0.3) + (0.5 * b));
            explosive.Add(Math.Exp(30.0 * ((a * a) + (b * b))));
        }

        return (view, observed, smooth, explosive);
    }

    [Fact]
    public void Mixture_WeightsAreTheEvidenceRatiosLargestFirstAndNegligibleOnesDropped()
    {
        (GaussianProcessSpace view, List<double[]> observed, List<double> smooth, List<double> explosive) = Data();
        var tuner = new GaussianProcessTuner(Fast);

        foreach (List<double> values in new[] { smooth, explosive })
        {
            var mixture = tuner.Mixture(view, observed, values, refitAll: false);

            // The first component is the argmax choice, with weight 1; the others carry exp(score - best) >= 0.01.
            Assert.Equal(tuner.Hyperparameters(view, observed, values, refitAll: false).Transform, mixture[0].Transform);
            Assert.Equal(1.0, mixture[0].Weight);
            Assert.All(mixture.Skip(1), c => Assert.InRange(c.Weight, 0.01, 1.0));
            Assert.Equal(mixture.Count, mixture.Select(c => (c.Transform, c.Hyperparameters.Trend)).Distinct().Count());
            Assert.DoesNotContain(mixture, c => c.Transform == TargetTransform.Copula);
        }

        // 13 orders of magnitude: the untransformed model has no say at all.
        var explosiveMixture = tuner.Mixture(view, observed, explosive, refitAll: false);
        Assert.All(explosiveMixture, c => Assert.Equal(TargetTransform.Warp, c.Transform)); // with either mean
    }

    [Fact]
    public void Mixture_WithoutAveraging_IsTheBestTransformAlone()
    {
        (GaussianProcessSpace view, List<double[]> observed, List<double> smooth, _) = Data();
        GaussianProcessTunerOptions options = Fast.Clone();
        options.Diagnostics = GaussianProcessDiagnostics.Parse("average=off;transform=none+warp+copula");
        var tuner = new GaussianProcessTuner(options);

        var mixture = tuner.Mixture(view, observed, smooth, refitAll: false);

        Assert.Single(mixture);
        Assert.Equal(TargetTransform.None, mixture[0].Transform);
    }

    [Fact]
    public void Propose_KnownOrUnknownHorizon_ProposesTheSamePoint()
    {
        // Nothing in the default design depends on the horizon: an open-ended study proposes what a budgeted one does.
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", -5, 10).AddFloat("y", 0, 15).Build();
        var tuner = new GaussianProcessTuner(Fast);
        List<TrialRecord> history = TunerLoop.Run(tuner, space, GaussianProcessTunerTests.Branin, 24, seed: 3, budget: 25);

        IReadOnlyDictionary<string, object> budgeted = tuner.Propose(new TunerContext(space, history, [StudyDirection.Minimize], 24, 3, budget: 25));
        IReadOnlyDictionary<string, object> open = new GaussianProcessTuner(Fast).Propose(new TunerContext(space, history, [StudyDirection.Minimize], 24, 3));

        Assert.Equal((double)budgeted["x"], (double)open["x"]);
        Assert.Equal((double)budgeted["y"], (double)open["y"]);
    }

    [Theory]
    [InlineData("transform=rank", "transform must be auto or a '+'-separated list of none, warp and copula, but got 'rank'")]
    [InlineData("trust=maybe", "trust must be on or off, but got 'maybe'")]
    [InlineData("colour=on", "unknown switch 'colour'")]
    public void Parse_BadSwitch_NamesTheSwitchTheRuleAndTheValue(string spec, string message)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => GaussianProcessDiagnostics.Parse(spec));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Defaults_AreTheShippedDesign()
    {
        Assert.Equal(GaussianProcessDiagnostics.Default, GaussianProcessDiagnostics.Parse(string.Empty));
        Assert.Equal("transform=auto;trust=on;average=on", GaussianProcessDiagnostics.Default.ToString());
        Assert.Equal(
            "transform=none+copula;trust=off;average=off",
            GaussianProcessDiagnostics.Parse("transform=none+copula;trust=off;average=off").ToString());
    }

    [Theory]
    [InlineData("restarts=on")]
    [InlineData("endgame=on")]
    public void Parse_DeletedSwitch_IsUnknown(string spec)
    {
        // The second pass's restarts and endgame are gone from the tuner (issue 13, fourth pass), so are their switches.
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => GaussianProcessDiagnostics.Parse(spec));
        Assert.Contains("unknown switch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnProposal_TracesEachModelBasedProposal()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", -5, 10).AddFloat("y", 0, 15).Build();
        List<TrialRecord> history = TunerLoop.Run(new GaussianProcessTuner(Fast), space, GaussianProcessTunerTests.Branin, 12, seed: 5);
        var traces = new List<GpProposalTrace>();
        GaussianProcessTunerOptions traced = Fast.Clone();
        traced.Diagnostics = GaussianProcessDiagnostics.Default with { OnProposal = traces.Add };

        IReadOnlyDictionary<string, object> proposed = new GaussianProcessTuner(traced).Propose(new TunerContext(space, history, [StudyDirection.Minimize], 12, 5));
        IReadOnlyDictionary<string, object> plain = new GaussianProcessTuner(Fast).Propose(new TunerContext(space, history, [StudyDirection.Minimize], 12, 5));

        // The trace changes nothing, and tells the region, the centre and the point proposed.
        Assert.Equal((double)plain["x"], (double)proposed["x"]);
        Assert.Equal((double)plain["y"], (double)proposed["y"]);
        GpProposalTrace trace = Assert.Single(traces);
        Assert.Equal(12, trace.Trial);
        List<double> values = [.. history.Select(t => t.Value!.Value)];
        Assert.Equal(GaussianProcessTuner.TrustRegionLength(values, Fast.StartupTrials, 2), trace.RegionLength);
        Assert.Equal(2, trace.Centre.Length);
        Assert.Equal(2, trace.LogLengthscales.Length);
        Assert.Equal(-5 + (15 * trace.Proposal[0]), (double)proposed["x"], 1e-9);
        Assert.Equal(15 * trace.Proposal[1], (double)proposed["y"], 1e-9);
        Assert.Contains(history, t => Math.Abs((double)t.Parameters["x"] - (-5 + (15 * trace.Centre[0]))) < 1e-9);

        // The startup design is not model-based: no trace.
        traces.Clear();
        new GaussianProcessTuner(traced).Propose(new TunerContext(space, history.Take(3).ToList(), [StudyDirection.Minimize], 3, 5));
        Assert.Empty(traces);
    }
}
