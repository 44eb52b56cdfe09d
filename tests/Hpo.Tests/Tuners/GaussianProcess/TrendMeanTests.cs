using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Tuners;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

/// <summary>
/// Issue 13, fifth pass: the quadratic-trend prior mean (universal kriging), its restricted likelihood, its leave-one-out
/// evidence and its place in the tuner's evidence-weighted mixture.
/// </summary>
public class TrendMeanTests
{
    private static (double[] X, double[] Y) Points(int n, int d, int seed, Func<double[], double> f)
    {
        var random = new Random(seed);
        var x = new double[n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = new double[d];
            for (int k = 0; k < d; k++)
            {
                row[k] = random.NextDouble();
            }

            row.CopyTo(x, i * d);
            y[i] = f(row);
        }

        return (x, y);
    }

    private static double Bowl(double[] p) => (3.0 * (p[0] - 0.2) * (p[0] - 0.2)) + ((p[1] - 0.7) * (p[1] - 0.7)) + (0.5 * (p[2] - 0.55) * (p[2] - 0.55));

    [Fact]
    public void Model_WithTrend_RecoversAQuadraticsMinimiserFromItsCoefficients()
    {
        (double[] x, double[] y) = Points(30, 3, 1, Bowl);
        var h = new GpHyperparameters([-1.5, -1.5, -1.5], 0.0, Math.Log(1e-6)) { Trend = true };

        GaussianProcessModel model = GaussianProcessModel.Create(x, 30, 3, 3, y, h);

        Assert.Equal(7, model.MeanCoefficients.Length);
        double[] minimiser = TrendMean.Minimiser(model.MeanCoefficients, 3);
        Assert.Equal(0.2, minimiser[0], 1e-6);
        Assert.Equal(0.7, minimiser[1], 1e-6);
        Assert.Equal(0.55, minimiser[2], 1e-6);

        // Far from the data (a short lengthscale) the constant-mean model reverts to a typical value; the trend extrapolates
        // the bowl.
        GaussianProcessModel constant = GaussianProcessModel.Create(x, 30, 3, 3, y, h with { Trend = false });
        double[] corner = [1.0, 0.0, 1.0];
        double truth = Bowl(corner);
        Assert.Equal(truth, model.Predict(corner, out _), 1e-4);
        Assert.True(Math.Abs(constant.Predict(corner, out _) - truth) > 0.5, "the constant mean cannot extrapolate the bowl");
    }

    [Fact]
    public void Minimiser_ConcaveOrFlatCoordinate_TakesTheLowerEnd()
    {
        // b0, b = (0.3, -0.1, 0), c = (-1, 0, 2): concave rising -> 0; flat falling -> 1; convex centred -> 1/2.
        double[] minimiser = TrendMean.Minimiser([0.0, 0.3, -0.1, 0.0, -1.0, 0.0, 2.0], 3);
        Assert.Equal([0.0, 1.0, 0.5], minimiser);
    }

    [Fact]
    public void Supported_NeedsTwiceAsManyPointsAsCoefficients()
    {
        Assert.False(TrendMean.Supported(41, 10));
        Assert.True(TrendMean.Supported(42, 10));
        Assert.False(TrendMean.Supported(100, 0));
    }

    [Fact]
    public void TrendPredict_GradientsMatchFiniteDifferences_AndBatchMatchesPointwise()
    {
        (double[] x, double[] y) = Points(25, 3, 2, p => Math.Sin(5 * p[0]) + Bowl(p));
        var h = new GpHyperparameters([Math.Log(0.3), Math.Log(0.5), Math.Log(0.8)], Math.Log(0.7), Math.Log(1e-3)) { Trend = true };
        GaussianProcessModel model = GaussianProcessModel.Create(x, 25, 3, 3, y, h);

        var random = new Random(3);
        var batch = new double[9 * 3];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = (1.4 * random.NextDouble()) - 0.2; // some outside the cube, where the trend's term matters most
        }

        var means = new double[9];
        var variances = new double[9];
        model.PredictBatch(batch, 9, means, variances);
        for (int p = 0; p < 9; p++)
        {
            double[] point = batch.AsSpan(p * 3, 3).ToArray();
            var dm = new double[3];
            var dv = new double[3];
            double mean = model.Predict(point, out double variance, dm, dv);
            Assert.Equal(mean, model.Predict(point, out double plain), 1e-10);
            Assert.Equal(variance, plain, 1e-10);
            Assert.Equal(mean, means[p], 1e-9);
            Assert.Equal(variance, variances[p], 1e-9);
            GpTestChecks.AssertPredictionGradientsMatchCentralDifferences(model, point, dm, dv, 3, 1e-5, relative: true);
        }
    }

    [Fact]
    public void TrendVariance_IncludesTheCoefficientsEstimationTerm()
    {
        (double[] x, double[] y) = Points(25, 3, 4, Bowl);
        var h = new GpHyperparameters([Math.Log(0.3), Math.Log(0.5), Math.Log(0.8)], Math.Log(0.7), Math.Log(1e-3));
        GaussianProcessModel plugIn = GaussianProcessModel.Create(x, 25, 3, 3, y, h);
        GaussianProcessModel trend = GaussianProcessModel.Create(x, 25, 3, 3, y, h with { Trend = true });

        // Same kernel, so the kernel part of the variance is the same; the trend adds r' A^-1 r > 0, most far from the data.
        double[] far = [1.0, 1.0, 0.0];
        plugIn.Predict(far, out double v0);
        trend.Predict(far, out double v1);
        Assert.True(v1 > v0 * 1.01, $"{v1} > {v0}");

        double[] atData = x.AsSpan(0, 3).ToArray();
        plugIn.Predict(atData, out double w0);
        trend.Predict(atData, out double w1);
        Assert.True(w1 - w0 < v1 - v0, "the estimation term is smaller at an observation than far from the data");
    }

    [Fact]
    public void RestrictedLikelihood_GradientMatchesFiniteDifferences()
    {
        (double[] x, double[] y) = Points(30, 3, 5, p => Math.Sin(5 * p[0]) + Bowl(p));
        var fitter = new GaussianProcessFitter(x, 30, 3, 3, y, 1e-8, trend: true);
        double[] theta = [Math.Log(0.3), Math.Log(0.8), Math.Log(2.0), Math.Log(0.9), Math.Log(1e-3)];
        GpTestChecks.AssertGradientMatchesCentralDifferences(fitter, theta);
    }

    [Fact]
    public void TrendLooLogDensity_MatchesRefittingTheTrendWithoutEachPoint()
    {
        const int n = 24;
        const int d = 2;
        (double[] x, double[] y) = Points(n, d, 6, p => Math.Sin(4 * p[0]) + (p[1] * p[1]));
        var h = new GpHyperparameters([Math.Log(0.4), Math.Log(0.7)], Math.Log(0.8), Math.Log(1e-2)) { Trend = true };
        double closedForm = new GaussianProcessFitter(x, n, d, d, y, 1e-10, trend: true).LooLogDensity(h);

        // By brute force: for each i, the universal-kriging posterior of the other points (their own mean coefficients)
        // predicts y_i, with the noise variance added.
        double brute = GpTestChecks.BruteForceLooLogDensity(x, y, n, d, h.LogNoise, (xs, ys, i) =>
        {
            double mu = GaussianProcessModel.Create(xs, n - 1, d, d, ys, h).Predict(x.AsSpan(i * d, d), out double variance);
            return (mu, variance);
        });

        Assert.Equal(brute, closedForm, 1e-6 * Math.Abs(brute));
    }

    [Fact]
    public void Mixture_GivesTheTrendTheWeightOnABowl_AndNotTheMixtureOnFlatDataWithNarrowWells()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("a", 0, 1).AddFloat("b", 0, 1).AddFloat("c", 0, 1).Build();
        GaussianProcessSpace view = GaussianProcessSpace.For(new TunerContext(space, [], [StudyDirection.Minimize], 0, 0).Encoding);
        var tuner = new GaussianProcessTuner();
        var random = new Random(7);
        var observed = new List<double[]>();
        var bowl = new List<double>();
        var wells = new List<double>();
        double[][] centres = [[0.2, 0.2, 0.8], [0.7, 0.4, 0.3], [0.45, 0.85, 0.6]];
        for (int i = 0; i < 40; i++)
        {
            double[] p = [random.NextDouble(), random.NextDouble(), random.NextDouble()];
            observed.Add(p);
            bowl.Add(Bowl(p) + (0.02 * Math.Sin(20 * p[0])));
            double w = 0.0;
            foreach (double[] c in centres)
            {
                double r2 = 0.0;
                for (int k = 0; k < 3; k++)
                {
                    r2 += (p[k] - c[k]) * (p[k] - c[k]);
                }

                w -= 1.0 / ((100.0 * r2) + 0.2); // Shekel's wells, scaled from [0, 10] to the unit cube
            }

            wells.Add(w);
        }

        var onBowl = tuner.Mixture(view, observed, bowl, refitAll: false);
        Assert.True(onBowl[0].Hyperparameters.Trend, "a bowl with small ripples is best explained by the trend");
        Assert.DoesNotContain(onBowl, c => !c.Hyperparameters.Trend && c.Weight >= 0.5);

        // Flat with narrow wells, the trend explains little: the constant mean keeps at least half the weight of the best.
        var onWells = tuner.Mixture(view, observed, wells, refitAll: false);
        Assert.Contains(onWells, c => !c.Hyperparameters.Trend && c.Weight >= 0.5);

        // Too few points for the trend's coefficients: it is not fitted at all.
        var few = tuner.Mixture(view, observed.GetRange(0, 13), bowl.GetRange(0, 13), refitAll: false);
        Assert.DoesNotContain(few, c => c.Hyperparameters.Trend);
    }

    [Fact]
    public void Tuner_OnAMixedSpaceWithATwoValuedInteger_FindsTheBowlsBottom()
    {
        // A two-valued integer makes its linear and square trend columns collinear with the constant; the fit and the
        // posterior must still work, and the trend must still serve the continuous coordinates.
        SearchSpace space = new SearchSpaceBuilder()
            .AddFloat("a", -10, 10).AddFloat("b", -10, 10).AddFloat("c", -10, 10).AddInt("k", 0, 1).AddCategorical("m", "x", "y")
            .Build();
        double Objective(IReadOnlyDictionary<string, object> p)
        {
            double a = (double)p["a"] - 3.0;
            double b = (double)p["b"] + 1.0;
            double c = (double)p["c"] - 0.5;
            return (a * a) + (b * b) + (c * c) + (2.0 * Math.Sin(3.0 * a) * Math.Sin(3.0 * b)) + Convert.ToInt32(p["k"], System.Globalization.CultureInfo.InvariantCulture) + ((string)p["m"] == "y" ? 1.0 : 0.0);
        }

        var tuner = new GaussianProcessTuner(new GaussianProcessTunerOptions { Candidates = 256, Restarts = 2 });
        List<Hpo.Trials.TrialRecord> history = TunerLoop.Run(tuner, space, Objective, 45, seed: 3);

        Assert.True(TunerLoop.Best(history) < 1.0, $"best {TunerLoop.Best(history)}");
    }

    [Fact]
    public void Candidates_AreTheTrendsMinimiserAndSingleCoordinateMovesOfTheIncumbent()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("a", 0, 1).AddFloat("b", 0, 1).AddFloat("c", 0, 1).Build();
        GaussianProcessSpace view = GaussianProcessSpace.For(new TunerContext(space, [], [StudyDirection.Minimize], 0, 0).Encoding);
        (double[] x, double[] y) = Points(30, 3, 8, Bowl);
        var h = new GpHyperparameters([-1.5, -1.5, -1.5], 0.0, Math.Log(1e-6));
        GaussianProcessModel constant = GaussianProcessModel.Create(x, 30, 3, 3, y, h);
        GaussianProcessModel trend = GaussianProcessModel.Create(x, 30, 3, 3, y, h with { Trend = true });
        double[] incumbent = [0.9, TrendMean.Minimiser(trend.MeanCoefficients, 3)[1], 0.1];

        Assert.Empty(TrendCandidates.For(view, [constant], [1.0], incumbent));
        List<double[]> candidates = TrendCandidates.For(view, [constant, trend], [1.0, 0.3], incumbent);

        // b already sits at the bowl's bottom: the minimiser, then moves of a and c alone.
        Assert.Equal(3, candidates.Count);
        Assert.Equal([0.2, 0.7, 0.55], candidates[0].Select(v => Math.Round(v, 6)));
        Assert.Equal([0.2, 0.7, 0.1], candidates[1].Select(v => Math.Round(v, 6)));
        Assert.Equal([0.9, 0.7, 0.55], candidates[2].Select(v => Math.Round(v, 6)));
    }
}
