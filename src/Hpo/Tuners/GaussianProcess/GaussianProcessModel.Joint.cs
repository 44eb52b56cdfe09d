using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>The joint posterior of the latent function at several points (for Thompson sampling).</summary>
internal sealed partial class GaussianProcessModel
{
    /// <summary>
    /// Writes the posterior means at <paramref name="count"/> feature vectors (row-major in <paramref name="features"/>) and
    /// the lower triangle of their joint posterior covariance, <c>K** - V'V</c> with <c>V = L^-1 K*</c> (row-major
    /// <paramref name="count"/> x <paramref name="count"/> in <paramref name="covariance"/>).
    /// </summary>
    /// <remarks>Costs O(count n^2 + count^2 (n + d)): the caller bounds <paramref name="count"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void JointPosterior(ReadOnlySpan<double> features, int count, Span<double> means, Span<double> covariance)
    {
        int n = Count;
        int d = Dimension;
        var variances = new double[count];
        PredictBatch(features, count, means, variances);

        // V: one row of n per point, the kernel vector solved against the factor.
        var v = new double[count * n];
        for (int a = 0; a < count; a++)
        {
            ReadOnlySpan<double> fa = features.Slice(a * d, d);
            Span<double> row = v.AsSpan(a * n, n);
            for (int i = 0; i < n; i++)
            {
                row[i] = Signal * MaternKernel.Correlation(MaternKernel.SquaredDistance(fa, x.AsSpan(i * d, d), weights, Numeric));
            }

            DenseMath.SolveLower(factor, n, row);
        }

        for (int a = 0; a < count; a++)
        {
            ReadOnlySpan<double> fa = features.Slice(a * d, d);
            ReadOnlySpan<double> va = v.AsSpan(a * n, n);
            for (int b = 0; b < a; b++)
            {
                double prior = Signal * MaternKernel.Correlation(MaternKernel.SquaredDistance(fa, features.Slice(b * d, d), weights, Numeric));
                covariance[(a * count) + b] = prior - DenseMath.Dot(va, v.AsSpan(b * n, n));
            }

            covariance[(a * count) + a] = variances[a];
        }
    }
}
