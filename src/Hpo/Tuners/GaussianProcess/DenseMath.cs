using System.Numerics;
using System.Runtime.InteropServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Dense float64 kernels on row-major arrays, without allocations: dot products, AXPY, an in-place Cholesky factorization,
/// triangular solves and the inverse from the factor.
/// </summary>
/// <remarks>
/// MathNet.Numerics' matrices allocate on every factorization and, with the managed provider, do not vectorize; the
/// hyperparameter fit factorizes hundreds of small matrices per proposal, so these loops work in place on spans and use
/// <see cref="Vector{T}"/>. Every loop runs in a fixed order, so results are reproducible on a given machine.
/// </remarks>
internal static class DenseMath
{
    /// <summary>Computes the dot product of two spans of equal length.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = a.Length;
        int i = 0;
        double sum = 0.0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            ReadOnlySpan<Vector<double>> va = MemoryMarshal.Cast<double, Vector<double>>(a);
            ReadOnlySpan<Vector<double>> vb = MemoryMarshal.Cast<double, Vector<double>>(b[..a.Length]);
            Vector<double> acc0 = Vector<double>.Zero;
            Vector<double> acc1 = Vector<double>.Zero;
            int k = 0;
            for (; k + 1 < va.Length; k += 2)
            {
                acc0 += va[k] * vb[k];
                acc1 += va[k + 1] * vb[k + 1];
            }

            if (k < va.Length)
            {
                acc0 += va[k] * vb[k];
            }

            sum = Vector.Sum(acc0 + acc1);
            i = va.Length * Vector<double>.Count;
        }

        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>Computes <c>y += alpha * x</c>.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = x.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            ReadOnlySpan<Vector<double>> vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            Span<Vector<double>> vy = MemoryMarshal.Cast<double, Vector<double>>(y[..n]);
            var va = new Vector<double>(alpha);
            for (int k = 0; k < vx.Length; k++)
            {
                vy[k] += va * vx[k];
            }

            i = vx.Length * Vector<double>.Count;
        }

        for (; i < n; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>
    /// Factorizes the symmetric matrix whose lower triangle is in <paramref name="a"/> (row-major, <paramref name="n"/> by
    /// <paramref name="n"/>) into <c>L L^T</c>, overwriting the lower triangle with <c>L</c>.
    /// </summary>
    /// <returns><see langword="false"/> when the matrix is not numerically positive definite.</returns>
    public static bool TryCholesky(Span<double> a, int n)
    {
        for (int i = 0; i < n; i++)
        {
            Span<double> rowI = a.Slice(i * n, n);
            for (int j = 0; j < i; j++)
            {
                ReadOnlySpan<double> rowJ = a.Slice(j * n, j);
                rowI[j] = (rowI[j] - Dot(rowI[..j], rowJ)) / a[(j * n) + j];
            }

            double d = rowI[i] - Dot(rowI[..i], rowI[..i]);
            if (!(d > 0.0) || !double.IsFinite(d))
            {
                return false;
            }

            rowI[i] = Math.Sqrt(d);
        }

        return true;
    }

    /// <summary>Solves <c>L x = b</c> in place (<paramref name="b"/> becomes <c>x</c>) for the lower factor <paramref name="l"/>.</summary>
    public static void SolveLower(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            b[i] = (b[i] - Dot(l.Slice(i * n, i), b[..i])) / l[(i * n) + i];
        }
    }

    /// <summary>Solves <c>L^T x = b</c> in place (<paramref name="b"/> becomes <c>x</c>) for the lower factor <paramref name="l"/>.</summary>
    public static void SolveLowerTransposed(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = n - 1; i >= 0; i--)
        {
            double xi = b[i] / l[(i * n) + i];
            b[i] = xi;
            if (i > 0)
            {
                Axpy(-xi, l.Slice(i * n, i), b[..i]);
            }
        }
    }

    /// <summary>
    /// Computes the lower triangle of <c>(L L^T)^-1</c> into <paramref name="inverse"/> from the lower factor, using
    /// <paramref name="work"/> (n by n) for <c>L^-1</c>. The upper triangles of both outputs are left undefined.
    /// </summary>
    public static void InverseFromCholesky(ReadOnlySpan<double> l, int n, Span<double> inverse, Span<double> work)
    {
        // work = L^-1, row by row: row i = (e_i - sum_{k<i} L[i,k] row k) / L[i,i].
        for (int i = 0; i < n; i++)
        {
            Span<double> row = work.Slice(i * n, i + 1);
            row.Clear();
            for (int k = 0; k < i; k++)
            {
                double lik = l[(i * n) + k];
                if (lik != 0.0)
                {
                    Axpy(-lik, work.Slice(k * n, k + 1), row[..(k + 1)]);
                }
            }

            double inv = 1.0 / l[(i * n) + i];
            row[i] = 1.0;
            for (int k = 0; k <= i; k++)
            {
                row[k] *= inv;
            }
        }

        // inverse = M^T M with M = L^-1: accumulate the rank-one terms of each row of M into the lower triangle.
        for (int i = 0; i < n; i++)
        {
            inverse.Slice(i * n, i + 1).Clear();
        }

        for (int k = 0; k < n; k++)
        {
            ReadOnlySpan<double> mk = work.Slice(k * n, k + 1);
            for (int i = 0; i <= k; i++)
            {
                double mki = mk[i];
                if (mki != 0.0)
                {
                    Axpy(mki, mk[..(i + 1)], inverse.Slice(i * n, i + 1));
                }
            }
        }
    }
}
