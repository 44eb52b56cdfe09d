using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

/// <summary>Checks shared by the GP's model and fitter tests: gradients by central differences, leave-one-out by refitting.</summary>
internal static class GpTestChecks
{
    /// <summary>Asserts that the fitter's analytic gradient at <paramref name="theta"/> matches central differences.</summary>
    public static void AssertGradientMatchesCentralDifferences(GaussianProcessFitter fitter, double[] theta)
    {
        var gradient = new double[theta.Length];
        double value = fitter.Evaluate(theta, gradient);

        Assert.True(double.IsFinite(value));
        for (int k = 0; k < theta.Length; k++)
        {
            const double e = 1e-6;
            double[] up = (double[])theta.Clone();
            double[] down = (double[])theta.Clone();
            up[k] += e;
            down[k] -= e;
            double numeric = (fitter.Evaluate(up, new double[theta.Length]) - fitter.Evaluate(down, new double[theta.Length])) / (2 * e);
            Assert.Equal(numeric, gradient[k], 1e-4 * Math.Max(1, Math.Abs(numeric)));
        }
    }

    /// <summary>
    /// The leave-one-out log density by brute force: for each point i, <paramref name="predictWithout"/> gets the other
    /// points (inputs, targets) and i, and returns its posterior mean and variance at point i; the noise variance is added.
    /// </summary>
    public static double BruteForceLooLogDensity(
        double[] x, double[] y, int n, int d, double logNoise, Func<double[], double[], int, (double Mean, double Variance)> predictWithout)
    {
        double total = 0.0;
        for (int i = 0; i < n; i++)
        {
            var xs = new double[(n - 1) * d];
            var ys = new double[n - 1];
            for (int j = 0, r = 0; j < n; j++)
            {
                if (j != i)
                {
                    Array.Copy(x, j * d, xs, r * d, d);
                    ys[r++] = y[j];
                }
            }

            (double mu, double variance) = predictWithout(xs, ys, i);
            double s2 = variance + Math.Exp(logNoise);
            total += (-0.5 * Math.Log(2 * Math.PI * s2)) - ((y[i] - mu) * (y[i] - mu) / (2 * s2));
        }

        return total;
    }

    /// <summary>
    /// Asserts that the model's mean and variance gradients over the first <paramref name="dimensions"/> features at
    /// <paramref name="point"/> match central differences of its predictions, within <paramref name="tolerance"/>, scaled by
    /// max(1, |gradient|) when <paramref name="relative"/>.
    /// </summary>
    public static void AssertPredictionGradientsMatchCentralDifferences(
        GaussianProcessModel model, double[] point, double[] meanGradient, double[] varianceGradient, int dimensions, double tolerance, bool relative)
    {
        for (int k = 0; k < dimensions; k++)
        {
            const double e = 1e-6;
            double[] up = (double[])point.Clone();
            double[] down = (double[])point.Clone();
            up[k] += e;
            down[k] -= e;
            double mUp = model.Predict(up, out double vUp);
            double mDown = model.Predict(down, out double vDown);
            Assert.Equal((mUp - mDown) / (2 * e), meanGradient[k], relative ? tolerance * Math.Max(1, Math.Abs(meanGradient[k])) : tolerance);
            Assert.Equal((vUp - vDown) / (2 * e), varianceGradient[k], relative ? tolerance * Math.Max(1, Math.Abs(varianceGradient[k])) : tolerance);
        }
    }
}
