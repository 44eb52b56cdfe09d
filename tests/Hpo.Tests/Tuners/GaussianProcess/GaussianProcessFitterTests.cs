using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class GaussianProcessFitterTests
{
    [Fact]
    public void Evaluate_Gradient_MatchesFiniteDifferences()
    {
        (double[] x, double[] y) = Data(n: 25, d: 3, numeric: 2, seed: 1);
        var fitter = new GaussianProcessFitter(x, 25, 3, 2, y, 1e-8);
        double[] theta = [Math.Log(0.3), Math.Log(0.8), Math.Log(2.0), Math.Log(0.9), Math.Log(1e-3)];
        GpTestChecks.AssertGradientMatchesCentralDifferences(fitter, theta);
    }

    [Fact]
    public void Fit_IrrelevantInput_GetsALongerLengthscaleThanRelevantOnes()
    {
        var random = new Random(4);
        const int n = 40;
        var x = new double[n * 3];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                x[(i * 3) + k] = random.NextDouble();
            }

            y[i] = Math.Sin(5 * x[i * 3]) + Math.Cos(4 * x[(i * 3) + 1]); // input 2 is ignored
        }

        double[] z = OutputTransform.Apply(y, warp: false);
        var fitter = new GaussianProcessFitter(x, n, 3, 3, z, 1e-10);

        GpHyperparameters h = fitter.Fit([fitter.PriorMode()], 200);

        Assert.True(h.LogLengthscales[2] > h.LogLengthscales[0] + 1, $"lengthscales {string.Join(", ", h.LogLengthscales.Select(Math.Exp))}");
        Assert.True(h.LogLengthscales[2] > h.LogLengthscales[1] + 1);
        Assert.True(Math.Exp(h.LogNoise) < 1e-3, $"noise {Math.Exp(h.LogNoise)} on noise-free data");
    }

    [Fact]
    public void Fit_NoisyData_EstimatesAClearlyPositiveNoise()
    {
        var random = new Random(5);
        const int n = 60;
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = random.NextDouble();
            y[i] = x[i] + (0.3 * (random.NextDouble() - 0.5));
        }

        double[] z = OutputTransform.Apply(y, warp: false);
        var fitter = new GaussianProcessFitter(x, n, 1, 1, z, 1e-10);

        GpHyperparameters h = fitter.Fit([fitter.PriorMode()], 200);

        Assert.True(Math.Exp(h.LogNoise) > 0.01, $"noise {Math.Exp(h.LogNoise)}");
    }

    [Fact]
    public void Fit_SameDataTwice_GivesBitIdenticalHyperparameters()
    {
        (double[] x, double[] y) = Data(n: 30, d: 2, numeric: 2, seed: 9);

        GpHyperparameters a = new GaussianProcessFitter(x, 30, 2, 2, y, 1e-10).Fit([[0, 0, 0, -5], [1, 1, 0, -5]], 100);
        GpHyperparameters b = new GaussianProcessFitter(x, 30, 2, 2, y, 1e-10).Fit([[0, 0, 0, -5], [1, 1, 0, -5]], 100);

        Assert.Equal(a.ToVector(), b.ToVector());
    }

    private static (double[] X, double[] Y) Data(int n, int d, int numeric, int seed)
    {
        var random = new Random(seed);
        var x = new double[n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int k = 0; k < d; k++)
            {
                x[(i * d) + k] = k < numeric ? random.NextDouble() : random.Next(3);
                s += Math.Sin(3 * x[(i * d) + k]);
            }

            y[i] = s;
        }

        return (x, OutputTransform.Apply(y, warp: false));
    }
}
