using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class GaussianProcessModelTests
{
    [Fact]
    public void Predict_FittedOnAKnown1DFunction_InterpolatesTheDataAndTracksItBetween()
    {
        const int n = 14;
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = i / (n - 1.0);
            y[i] = Math.Sin(6 * x[i]) + (0.5 * x[i]);
        }

        double[] z = OutputTransform.Apply(y, warp: false);
        var fitter = new GaussianProcessFitter(x, n, 1, 1, z, 1e-10);
        GpHyperparameters h = fitter.Fit([fitter.PriorMode()], 200);
        var model = GaussianProcessModel.Create(x, n, 1, 1, z, h);

        for (int i = 0; i < n; i++)
        {
            Assert.Equal(z[i], model.Predict([x[i]], out double variance), 1e-3);
            Assert.True(variance < 1e-4, $"variance {variance} at a training point");
        }

        // Between the points the mean follows the function (in the standardized units) and the variance is larger.
        double scale = (z[1] - z[0]) / (y[1] - y[0]);
        for (int i = 0; i < n - 1; i++)
        {
            double mid = (x[i] + x[i + 1]) / 2;
            double truth = Math.Sin(6 * mid) + (0.5 * mid);
            double predicted = model.Predict([mid], out double variance);
            double expected = z[i] + (scale * (truth - y[i]));
            Assert.Equal(expected, predicted, 0.05);
            Assert.True(variance > 0);
        }

        Assert.True(Math.Exp(h.LogLengthscales[0]) is > 0.05 and < 2, $"lengthscale {Math.Exp(h.LogLengthscales[0])}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    public void PredictBatch_ManyPoints_MatchesOnePointPredictions(int count)
    {
        var random = new Random(count);
        const int n = 25;
        const int d = 3; // two numeric features, one categorical
        (double[] x, double[] y) = MixedData(random, n);

        double[] z = OutputTransform.Apply(y, warp: false);
        var model = GaussianProcessModel.Create(x, n, d, 2, z, new GpHyperparameters([-1.0, -0.5, 0.0], 0.2, -6.0));
        var points = new double[count * d];
        for (int c = 0; c < count; c++)
        {
            // Some candidates repeat training points (variance near the floor), the others are new.
            int source = random.Next(n);
            points[(c * d) + 0] = c % 3 == 0 ? x[source * d] : random.NextDouble();
            points[(c * d) + 1] = c % 3 == 0 ? x[(source * d) + 1] : random.NextDouble();
            points[(c * d) + 2] = c % 3 == 0 ? x[(source * d) + 2] : random.Next(3);
        }

        var means = new double[count];
        var variances = new double[count];
        model.PredictBatch(points, count, means, variances);
        for (int c = 0; c < count; c++)
        {
            double mean = model.Predict(points.AsSpan(c * d, d), out double variance);
            Assert.Equal(mean, means[c], 1e-9);
            Assert.Equal(variance, variances[c], 1e-9);
        }
    }

    [Fact]
    public void Predict_Gradients_MatchFiniteDifferences()
    {
        var random = new Random(3);
        const int n = 20;
        const int d = 3; // two numeric features, one categorical
        (double[] x, double[] y) = MixedData(random, n);

        var h = new GpHyperparameters([Math.Log(0.4), Math.Log(0.7), Math.Log(1.5)], Math.Log(1.3), Math.Log(1e-4));
        var model = GaussianProcessModel.Create(x, n, d, 2, y, h);
        double[] at = [0.37, 0.61, 1];
        var dMean = new double[d];
        var dVar = new double[d];

        model.Predict(at, out _, dMean, dVar);

        GpTestChecks.AssertPredictionGradientsMatchCentralDifferences(model, at, dMean, dVar, 2, 1e-5, relative: false);

        Assert.Equal(0.0, dMean[2]);
    }

    [Fact]
    public void Create_DuplicatedPoints_FactorizesThanksToJitterOrNoise()
    {
        var x = new double[] { 0.5, 0.5, 0.5, 0.5, 0.2 };
        var y = new double[] { 1, 1, 1, 1, 0 };
        var h = new GpHyperparameters([Math.Log(0.3)], 0.0, Math.Log(1e-14));

        var model = GaussianProcessModel.Create(x, 5, 1, 1, y, h);

        Assert.Equal(1.0, model.Predict([0.5], out double v), 1e-4);
        Assert.True(double.IsFinite(v));
    }

    [Fact]
    public void Predict_FarFromTheData_ReturnsTheEstimatedConstantMean()
    {
        // Three points clustered low and two spread high: the generalized-least-squares mean weighs the cluster as about one point.
        var x = new double[] { 0.0, 0.001, 0.002, 0.5, 1.0 };
        var y = new double[] { -2, -2, -2, 1, 1 };
        var h = new GpHyperparameters([Math.Log(0.02)], 0.0, Math.Log(1e-6));

        var model = GaussianProcessModel.Create(x, 5, 1, 1, y, h);

        double far = model.Predict([0.75], out double variance);
        Assert.Equal(model.PriorMean, far, 1e-6);
        Assert.True(model.PriorMean > y.Average(), $"GLS mean {model.PriorMean} vs sample mean {y.Average()}");
        Assert.Equal(1.0, variance, 1e-6);
    }

    /// <summary>n training points of two numeric features and a categorical one (three levels), and a smooth function of them.</summary>
    private static (double[] X, double[] Y) MixedData(Random random, int n)
    {
        const int d = 3;
        var x = new double[n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[(i * d) + 0] = random.NextDouble();
            x[(i * d) + 1] = random.NextDouble();
            x[(i * d) + 2] = random.Next(3);
            y[i] = Math.Sin(3 * x[i * d]) + x[(i * d) + 1] + (0.3 * x[(i * d) + 2]);
        }

        return (x, y);
    }
}
