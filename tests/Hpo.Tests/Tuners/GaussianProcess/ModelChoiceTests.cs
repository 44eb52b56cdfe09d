using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

/// <summary>The output transform chosen by evidence, the leave-one-out density it is chosen by, noise-aware recommendation, pruned trials, horizons.</summary>
public class ModelChoiceTests
{
    private static readonly GaussianProcessTunerOptions Fast = new() { StartupTrials = 5, Candidates = 256, Restarts = 2 };

    [Fact]
    public void Apply_Copula_GivesOrderedStandardizedNormalScoresWithTiesShared()
    {
        double[] z = OutputTransform.Apply([5.0, 1.0, 3.0, 3.0, 1e6], TargetTransform.Copula, default);

        Assert.True(z[1] < z[2] && z[2] < z[0] && z[0] < z[4]);
        Assert.Equal(z[2], z[3]);
        Assert.Equal(0.0, z.Average(), 1e-12);
        Assert.Equal(1.0, z.Select(v => v * v).Average(), 1e-12);
        // The outlier is one rank above the next value, not a million units.
        Assert.True(z[4] - z[0] < 1.5, $"copula gap {z[4] - z[0]}");
    }

    [Fact]
    public void Apply_None_LogDerivativeIsMinusTheLogOfTheAffineScale()
    {
        double[] values = [2.0, 4.0, 6.0, 8.0];
        var logDerivative = new double[4];

        double[] z = OutputTransform.Apply(values, TargetTransform.None, logDerivative);

        double slope = (z[1] - z[0]) / (values[1] - values[0]);
        Assert.All(logDerivative, v => Assert.Equal(Math.Log(slope), v, 1e-12));
    }

    [Fact]
    public void Apply_WarpAndCopula_LogDerivativesMatchTheLocalSlopesOfTheMap()
    {
        // With many values, moving one barely changes the fitted map: its slope there is the derivative the Jacobian uses.
        var random = new Random(3);
        double[] values = [.. Enumerable.Range(0, 400).Select(_ => Math.Exp(3.0 * random.NextDouble()))];
        var logDerivative = new double[values.Length];

        double[] warped = OutputTransform.Apply(values, TargetTransform.Warp, logDerivative);
        for (int i = 0; i < 5; i++)
        {
            double h = 1e-6 * values[i];
            double[] moved = (double[])values.Clone();
            moved[i] += h;
            double slope = (OutputTransform.Apply(moved, TargetTransform.Warp, default)[i] - warped[i]) / h;
            Assert.Equal(Math.Log(slope), logDerivative[i], 0.02);
        }

        double[] copula = OutputTransform.Apply(values, TargetTransform.Copula, logDerivative);
        int[] order = [.. Enumerable.Range(0, values.Length).OrderBy(i => values[i])];
        int k = order[200];
        double secant = (copula[order[201]] - copula[order[199]]) / (values[order[201]] - values[order[199]]);
        Assert.Equal(Math.Log(secant), logDerivative[k], 1e-9);
    }

    [Fact]
    public void LooLogDensity_MatchesRefittingWithoutEachPoint()
    {
        var random = new Random(11);
        const int n = 20;
        const int d = 2;
        var x = new double[n * d];
        var raw = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i * d] = random.NextDouble();
            x[(i * d) + 1] = random.NextDouble();
            raw[i] = Math.Sin(4 * x[i * d]) + (x[(i * d) + 1] * x[(i * d) + 1]) + (0.05 * random.NextDouble());
        }

        double[] y = OutputTransform.Apply(raw, warp: false);
        var h = new GpHyperparameters([Math.Log(0.4), Math.Log(0.7)], Math.Log(0.8), Math.Log(1e-2));
        double closedForm = new GaussianProcessFitter(x, n, d, d, y, 1e-10).LooLogDensity(h);

        // By brute force: for each i, the posterior of the other points (with the constant mean of all of them, as the
        // closed form keeps it) predicts y_i with the noise variance added.
        double mean = GaussianProcessModel.Create(x, n, d, d, y, h).PriorMean;
        double brute = GpTestChecks.BruteForceLooLogDensity(
            x, y, n, d, h.LogNoise, (xs, ys, i) => FixedMeanPosterior(xs, ys, n - 1, d, h, mean, x.AsSpan(i * d, d)));

        Assert.Equal(brute, closedForm, 1e-6 * Math.Abs(brute));
    }

    [Fact]
    public void Hyperparameters_ChooseTheTransformByTheData()
    {
        // A smooth function is best modelled as it is; a function spanning 13 orders of magnitude is not.
        (GaussianProcessSpace view, List<double[]> observed, List<double> smooth, List<double> explosive) = TransformAveragingTests.Data();

        var tuner = new GaussianProcessTuner(Fast);
        Assert.Equal(TargetTransform.None, tuner.Hyperparameters(view, observed, smooth, refitAll: false).Transform);
        Assert.NotEqual(TargetTransform.None, tuner.Hyperparameters(view, observed, explosive, refitAll: false).Transform);
    }

    [Fact]
    public void Propose_PrunedTrialsWithValues_AreLeftOutLikeFailedOnes()
    {
        // A pruned trial's value is its last intermediate value, not a result: the model must not learn from it.
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", 0, 1).AddFloat("y", 0, 1).Build();
        var random = new Random(8);
        var pruned = new List<TrialRecord>();
        var failed = new List<TrialRecord>();
        for (int i = 0; i < 16; i++)
        {
            var p = new Dictionary<string, object> { ["x"] = random.NextDouble(), ["y"] = random.NextDouble() };
            double v = ((double)p["x"] - 0.3) * ((double)p["x"] - 0.3);
            pruned.Add(i % 3 == 0 ? TunerLoop.WithState(i, p, TrialState.Pruned, -100.0) : TunerLoop.Complete(i, p, v));
            failed.Add(i % 3 == 0 ? TunerLoop.WithState(i, p, TrialState.Failed) : TunerLoop.Complete(i, p, v));
        }

        var tuner = new GaussianProcessTuner(Fast);
        Assert.Equal(
            tuner.Propose(new TunerContext(space, failed, [StudyDirection.Minimize], 16, 4)),
            tuner.Propose(new TunerContext(space, pruned, [StudyDirection.Minimize], 16, 4)));
    }

    [Fact]
    public void Recommend_NoisyObjective_PrefersThePosteriorMeanToALuckyDraw()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();
        var random = new Random(21);
        var history = new List<TrialRecord>();
        for (int i = 0; i < 60; i++)
        {
            double x = i / 59.0;
            double noise = 0.1 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            double value = (4.0 * (x - 0.5) * (x - 0.5)) + noise;
            history.Add(TunerLoop.Complete(i, new Dictionary<string, object> { ["x"] = x }, value));
        }

        // One lucky draw far from the optimum (true value 0.64).
        history.Add(TunerLoop.Complete(60, new Dictionary<string, object> { ["x"] = 0.1 }, -0.5));
        var context = new TunerContext(space, history, [StudyDirection.Minimize], 61, 0);

        TrialRecord? luckiest = new RandomSearchTunerProbe().Recommend(context);
        TrialRecord? recommended = new GaussianProcessTuner().Recommend(context);

        Assert.Equal(60, luckiest!.Number);
        Assert.NotNull(recommended);
        Assert.InRange((double)recommended.Parameters["x"], 0.35, 0.65);
    }

    [Fact]
    public void Recommend_MaximizeAndFewTrials_IsTheBestObservedValue()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();
        List<TrialRecord> history =
        [
            TunerLoop.Complete(0, new Dictionary<string, object> { ["x"] = 0.1 }, 1.0),
            TunerLoop.Complete(1, new Dictionary<string, object> { ["x"] = 0.2 }, 3.0),
            TunerLoop.WithState(2, new Dictionary<string, object> { ["x"] = 0.3 }, TrialState.Pruned, 9.0),
        ];

        TrialRecord? r = new GaussianProcessTuner().Recommend(new TunerContext(space, history, [StudyDirection.Maximize], 3, 0));

        Assert.Equal(1, r!.Number);
        Assert.Null(new GaussianProcessTuner().Recommend(new TunerContext(space, [], [StudyDirection.Maximize], 0, 0)));
    }

    [Fact]
    public void TrustRegionLength_GrowsOnSuccessesShrinksOnFailuresAndStartsAgainWhenTooSmall()
    {
        List<double> values = [5, 4, 3, 2, 1]; // the startup design: not counted
        Assert.Equal(0.8, GaussianProcessTuner.TrustRegionLength(values, 5, continuous: 2));

        values.AddRange([0.5, 0.2, 0.1]); // three successes in a row
        Assert.Equal(1.6, GaussianProcessTuner.TrustRegionLength(values, 5, continuous: 2));

        values.AddRange([0.1, 0.09999, 3.0, 0.1]); // four failures (a gain below 1e-3 of the best is no success): halved
        Assert.Equal(0.8, GaussianProcessTuner.TrustRegionLength(values, 5, continuous: 2));
        Assert.Equal(1.6, GaussianProcessTuner.TrustRegionLength(values, 5, continuous: 8)); // max(4, d) failures needed

        values.AddRange(Enumerable.Repeat(1.0, 4 * 6)); // six more halvings: 0.0125
        Assert.Equal(0.0125, GaussianProcessTuner.TrustRegionLength(values, 5, continuous: 2), 1e-12);
        values.AddRange(Enumerable.Repeat(1.0, 4)); // below 0.5^7: starts again
        Assert.Equal(0.8, GaussianProcessTuner.TrustRegionLength(values, 5, continuous: 2));
    }

    [Fact]
    public void TrustRegion_ShapedByLengthscalesAndFreeWhereTheCentreIsInactive()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddFloat("a", 0, 1)
            .AddFloat("b", 0, 1)
            .AddCategorical("opt", "sgd", "adam")
            .AddFloat("momentum", 0, 1, condition: ParameterCondition.When("opt", "sgd"))
            .Build();
        GaussianProcessSpace view = GaussianProcessSpace.For(new TunerContext(space, [], [StudyDirection.Minimize], 0, 0).Encoding);
        double[] encoded = new TunerContext(space, [], [StudyDirection.Minimize], 0, 0).Encoding.Encode(new Dictionary<string, object> { ["a"] = 0.5, ["b"] = 0.5, ["opt"] = "adam" });
        double[] center = view.ToPoint(encoded, GaussianProcessSpace.NumericFiller);
        var lengthscales = new double[view.Dimensions];
        string[] names = [.. space.Parameters.Select(p => p.Name)]; // one unit-cube coordinate per parameter, in this order
        int ia = Array.IndexOf(names, "a");
        int ib = Array.IndexOf(names, "b");
        int im = Array.IndexOf(names, "momentum");
        lengthscales[ia] = Math.Log(0.1);
        lengthscales[ib] = Math.Log(0.4);
        lengthscales[im] = Math.Log(0.2);

        (double[] lower, double[] upper) = GaussianProcessTuner.TrustRegion(view, center, encoded, new GpHyperparameters(lengthscales, 0, -5), 0.2);

        Assert.True(upper[ib] - lower[ib] > 3.9 * (upper[ia] - lower[ia]), "the side follows the lengthscales");
        Assert.InRange(lower[ia], 0.4, 0.5);
        Assert.Equal((0.0, 1.0), (lower[im], upper[im])); // momentum is inactive at an adam centre
    }

    private static (double Mean, double Variance) FixedMeanPosterior(double[] x, double[] y, int n, int d, GpHyperparameters h, double mean, ReadOnlySpan<double> at)
    {
        double signal = Math.Exp(h.LogSignal);
        var weights = h.LogLengthscales.Select(l => Math.Exp(-2 * l)).ToArray();
        var k = new double[n * n];
        var kstar = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                k[(i * n) + j] = signal * MaternKernel.Correlation(MaternKernel.SquaredDistance(x.AsSpan(i * d, d), x.AsSpan(j * d, d), weights, d)) + (i == j ? Math.Exp(h.LogNoise) : 0.0);
            }

            kstar[i] = signal * MaternKernel.Correlation(MaternKernel.SquaredDistance(at, x.AsSpan(i * d, d), weights, d));
        }

        Assert.True(DenseMath.TryCholesky(k, n));
        var residual = y.Select(v => v - mean).ToArray();
        DenseMath.SolveLower(k, n, residual);
        var v = (double[])kstar.Clone();
        DenseMath.SolveLower(k, n, v);
        return (mean + DenseMath.Dot(v, residual), signal - DenseMath.Dot(v, v));
    }

    private sealed class RandomSearchTunerProbe : TunerBase
    {
        public override string Name => "probe";

        public override IReadOnlyDictionary<string, object> Propose(TunerContext context) => throw new NotSupportedException();
    }
}
