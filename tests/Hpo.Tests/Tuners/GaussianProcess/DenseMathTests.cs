using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class DenseMathTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(94)]
    public void CholeskyAndInverse_RandomSpdMatrix_ReproduceTheMatrixAndItsInverse(int n)
    {
        double[] a = RandomSpd(n, new Random(n));
        double[] factor = (double[])a.Clone();
        var inverse = new double[n * n];
        var work = new double[n * n];

        Assert.True(DenseMath.TryCholesky(factor, n));
        DenseMath.InverseFromCholesky(factor, n, inverse, work);

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double llt = 0;
                for (int k = 0; k <= j; k++)
                {
                    llt += factor[(i * n) + k] * factor[(j * n) + k];
                }

                Assert.Equal(a[(i * n) + j], llt, 1e-10);

                // (A A^-1)[i, j] with the inverse read from its lower triangle.
                double product = 0;
                for (int k = 0; k < n; k++)
                {
                    product += a[(i * n) + k] * (k <= j ? inverse[(j * n) + k] : inverse[(k * n) + j]);
                }

                Assert.Equal(i == j ? 1.0 : 0.0, product, 1e-9);
            }
        }
    }

    [Fact]
    public void Solves_WithTheFactor_SolveTheSystem()
    {
        const int n = 12;
        double[] a = RandomSpd(n, new Random(2));
        double[] factor = (double[])a.Clone();
        Assert.True(DenseMath.TryCholesky(factor, n));
        var b = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
        double[] x = (double[])b.Clone();

        DenseMath.SolveLower(factor, n, x);
        DenseMath.SolveLowerTransposed(factor, n, x);

        for (int i = 0; i < n; i++)
        {
            double row = 0;
            for (int k = 0; k < n; k++)
            {
                row += a[(i * n) + k] * x[k];
            }

            Assert.Equal(b[i], row, 1e-10);
        }
    }

    [Fact]
    public void TryCholesky_IndefiniteMatrix_ReturnsFalse()
    {
        double[] a = [1, 2, 2, 1];

        Assert.False(DenseMath.TryCholesky(a, 2));
    }

    [Fact]
    public void DotAndAxpy_LongAndShortSpans_MatchScalarLoops()
    {
        foreach (int n in new[] { 0, 1, 3, 4, 9, 64, 101 })
        {
            var x = Enumerable.Range(0, n).Select(i => (i * 0.37) - 3).ToArray();
            var y = Enumerable.Range(0, n).Select(i => Math.Cos(i)).ToArray();
            double expected = 0;
            for (int i = 0; i < n; i++)
            {
                expected += x[i] * y[i];
            }

            Assert.Equal(expected, DenseMath.Dot(x, y), 1e-10);
            double[] z = (double[])y.Clone();
            DenseMath.Axpy(2.5, x, z);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(y[i] + (2.5 * x[i]), z[i], 1e-12);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(41)]
    public void LowerInverse_Factor_GivesTheInverseOfTheFactor(int n)
    {
        double[] factor = RandomSpd(n, new Random(n));
        Assert.True(DenseMath.TryCholesky(factor, n));
        var inverse = new double[n * n];
        DenseMath.LowerInverse(factor, n, inverse, new double[n * n]);

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double product = 0; // (L^-1 L)[i, j]
                for (int k = j; k <= i; k++)
                {
                    product += inverse[(i * n) + k] * factor[(k * n) + j];
                }

                Assert.Equal(i == j ? 1.0 : 0.0, product, 1e-10);
            }
        }
    }

    [Fact]
    public void Dot4AndDifference_LongAndShortSpans_MatchScalarLoops()
    {
        foreach (int n in new[] { 0, 1, 3, 4, 9, 64, 101 })
        {
            var a = Enumerable.Range(0, n).Select(i => (i * 0.37) - 3).ToArray();
            double[][] b = [.. Enumerable.Range(0, 4).Select(q => Enumerable.Range(0, n + q).Select(i => Math.Cos(i + q)).ToArray())];
            var result = new double[4];
            DenseMath.Dot4(a, b[0], b[1], b[2], b[3], result);
            for (int q = 0; q < 4; q++)
            {
                double expected = 0;
                for (int i = 0; i < n; i++)
                {
                    expected += a[i] * b[q][i];
                }

                Assert.Equal(expected, result[q], 1e-10);
            }

            var difference = new double[n];
            DenseMath.Difference(a, 0.7, b[1], b[2], difference);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal((a[i] - (0.7 * b[1][i])) * b[2][i], difference[i], 1e-12);
            }
        }
    }

    private static double[] RandomSpd(int n, Random random)
    {
        var m = new double[n * n];
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = random.NextDouble() - 0.5;
        }

        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = i == j ? n : 0;
                for (int k = 0; k < n; k++)
                {
                    s += m[(i * n) + k] * m[(j * n) + k];
                }

                a[(i * n) + j] = s;
            }
        }

        return a;
    }
}
