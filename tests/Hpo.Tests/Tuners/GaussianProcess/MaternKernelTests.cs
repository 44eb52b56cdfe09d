using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class MaternKernelTests
{
    [Fact]
    public void Correlations_ManyDistances_MatchTheScalarFormula()
    {
        double[] r2 = [.. Enumerable.Range(0, 37).Select(i => i == 0 ? 0.0 : Math.Pow(10, (i / 6.0) - 4))];
        var kernel = new double[r2.Length];
        var slope = new double[r2.Length];
        MaternKernel.Correlations(r2, 1.7, kernel, slope);
        for (int i = 0; i < r2.Length; i++)
        {
            double r = Math.Sqrt(r2[i]);
            double e = Math.Exp(-MaternKernel.Sqrt5 * r);
            double expected = 1.7 * (1 + (MaternKernel.Sqrt5 * r) + (5.0 / 3.0 * r2[i])) * e;
            double expectedSlope = 1.7 * -5.0 / 6.0 * (1 + (MaternKernel.Sqrt5 * r)) * e;
            Assert.Equal(expected, kernel[i], 1e-13 * Math.Max(1e-300, Math.Abs(expected)) + 1e-300);
            Assert.Equal(expectedSlope, slope[i], 1e-13 * Math.Abs(expectedSlope) + 1e-300);
        }

        Assert.Equal(1.7, kernel[0]);
    }
}
