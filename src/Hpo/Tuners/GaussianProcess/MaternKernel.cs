using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// The Matern-5/2 kernel with one lengthscale per input (ARD) and an output scale: k(r) = s (1 + sqrt5 r + 5 r^2 / 3)
/// exp(-sqrt5 r), where r^2 sums (x_i - y_i)^2 / l_i^2 over the numeric inputs and [x_i != y_i] / l_i^2 over the categorical
/// ones (a Hamming-distance term).
/// </summary>
/// <remarks>
/// Numeric inputs come first in a feature vector, categorical ones (category indices, -1 when inactive) after them. The
/// Hamming term is the squared Euclidean distance of a one-hot embedding scaled by 1/2, so the kernel stays positive
/// definite.
/// </remarks>
internal static class MaternKernel
{
    /// <summary>sqrt(5).</summary>
    public const double Sqrt5 = 2.23606797749979;

    /// <summary>Computes the weighted squared distance r^2 with weights <paramref name="w"/> = 1 / l^2.</summary>
    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> w, int numeric)
    {
        double r2 = 0.0;
        for (int k = 0; k < numeric; k++)
        {
            double diff = a[k] - b[k];
            r2 += w[k] * diff * diff;
        }

        for (int k = numeric; k < w.Length; k++)
        {
            if (a[k] != b[k])
            {
                r2 += w[k];
            }
        }

        return r2;
    }

    /// <summary>Computes the correlation m(r) = (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r) from r^2.</summary>
    public static double Correlation(double r2)
    {
        double r = Math.Sqrt(r2);
        return (1.0 + (Sqrt5 * r) + (5.0 / 3.0 * r2)) * Math.Exp(-Sqrt5 * r);
    }

    /// <summary>
    /// Computes m(r) from r^2 and its derivative dm/d(r^2) = -(5/6) (1 + sqrt5 r) exp(-sqrt5 r).
    /// </summary>
    public static double Correlation(double r2, out double dByR2)
    {
        double r = Math.Sqrt(r2);
        double e = Math.Exp(-Sqrt5 * r);
        double p = 1.0 + (Sqrt5 * r);
        dByR2 = -5.0 / 6.0 * p * e;
        return (p + (5.0 / 3.0 * r2)) * e;
    }

    /// <summary>
    /// Computes <c>s m(r)</c> and <c>s dm/d(r^2)</c> for every entry of <paramref name="r2"/> (vectorized, in a fixed order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Correlations(ReadOnlySpan<double> r2, double signal, Span<double> kernel, Span<double> dByR2)
    {
        int n = r2.Length;
        int i = 0;
#if NET9_0_OR_GREATER // Vector.Exp is .NET 9's: on .NET 8 the scalar loop below computes every entry.
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            ReadOnlySpan<Vector<double>> vr2 = MemoryMarshal.Cast<double, Vector<double>>(r2);
            Span<Vector<double>> vk = MemoryMarshal.Cast<double, Vector<double>>(kernel[..n]);
            Span<Vector<double>> vd = MemoryMarshal.Cast<double, Vector<double>>(dByR2[..n]);
            var sqrt5 = new Vector<double>(Sqrt5);
            var fiveThirds = new Vector<double>(5.0 / 3.0);
            var s = new Vector<double>(signal);
            var slopeScale = new Vector<double>(-5.0 / 6.0 * signal);
            for (int k = 0; k < vr2.Length; k++)
            {
                Vector<double> q = vr2[k];
                Vector<double> sr = sqrt5 * Vector.SquareRoot(q);
                Vector<double> e = Vector.Exp(-sr);
                Vector<double> p = Vector<double>.One + sr;
                vk[k] = s * ((p + (fiveThirds * q)) * e);
                vd[k] = slopeScale * (p * e);
            }

            i = vr2.Length * Vector<double>.Count;
        }
#endif

        for (; i < n; i++)
        {
            double m = Correlation(r2[i], out double slope);
            kernel[i] = signal * m;
            dByR2[i] = signal * slope;
        }
    }

    /// <summary>Computes <c>s m(r)</c> for every entry of <paramref name="r2"/> (vectorized, in a fixed order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Correlations(ReadOnlySpan<double> r2, double signal, Span<double> kernel)
    {
        int n = r2.Length;
        int i = 0;
#if NET9_0_OR_GREATER // Vector.Exp is .NET 9's: on .NET 8 the scalar loop below computes every entry.
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            ReadOnlySpan<Vector<double>> vr2 = MemoryMarshal.Cast<double, Vector<double>>(r2);
            Span<Vector<double>> vk = MemoryMarshal.Cast<double, Vector<double>>(kernel[..n]);
            var sqrt5 = new Vector<double>(Sqrt5);
            var fiveThirds = new Vector<double>(5.0 / 3.0);
            var s = new Vector<double>(signal);
            for (int k = 0; k < vr2.Length; k++)
            {
                Vector<double> q = vr2[k];
                Vector<double> sr = sqrt5 * Vector.SquareRoot(q);
                vk[k] = s * ((Vector<double>.One + sr + (fiveThirds * q)) * Vector.Exp(-sr));
            }

            i = vr2.Length * Vector<double>.Count;
        }
#endif

        for (; i < n; i++)
        {
            kernel[i] = signal * Correlation(r2[i]);
        }
    }
}
