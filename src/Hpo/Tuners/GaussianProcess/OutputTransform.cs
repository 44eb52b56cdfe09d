using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>The monotone transforms the GP may model its targets through; the data choose one per fit (see <see cref="OutputTransform"/>).</summary>
internal enum TargetTransform
{
    /// <summary>Standardized values (an affine map).</summary>
    None = 0,

    /// <summary>Standardized, warped by a fitted Yeo-Johnson power transform, standardized again.</summary>
    Warp = 1,

    /// <summary>A Gaussian copula: the normal quantiles of the values' ranks (ties share their mean rank), standardized.</summary>
    Copula = 2,
}

/// <summary>
/// Turns raw objective values (already oriented so that smaller is better) into GP targets: infinities clipped to the
/// finite extremes, scaled without overflow, standardized, then optionally warped by a Yeo-Johnson power transform whose
/// exponent maximizes the Gaussian likelihood of the result and standardized again, or replaced by a Gaussian copula of
/// their ranks.
/// </summary>
/// <remarks>
/// The warp is monotone, so the ordering of the values (and so the incumbent) is kept; it compresses long tails such as
/// Rosenbrock's, so that the GP spends its flexibility near the good values instead of on a few huge ones.
/// </remarks>
internal static class OutputTransform
{
    private const double LambdaLow = -2.0;
    private const double LambdaHigh = 2.0;

    /// <summary>Transforms <paramref name="values"/> into standardized (and optionally warped) targets.</summary>
    public static double[] Apply(ReadOnlySpan<double> values, bool warp) =>
        Apply(values, warp ? TargetTransform.Warp : TargetTransform.None, default);

    /// <summary>
    /// Transforms <paramref name="values"/> by <paramref name="kind"/> and, when <paramref name="logDerivative"/> is not empty,
    /// writes there the log of each target's derivative with respect to its raw value (the Jacobian term that makes densities
    /// of differently transformed targets comparable on the raw values). For the copula, a step function, the derivative is
    /// that of the piecewise-linear map through the sorted distinct values (central differences; one-sided at the ends).
    /// </summary>
    public static double[] Apply(ReadOnlySpan<double> values, TargetTransform kind, Span<double> logDerivative)
    {
        double[] z = Scaled(values, out double scale, out double firstSd, out bool constant);
        if (!logDerivative.IsEmpty)
        {
            logDerivative.Fill(0.0);
        }

        int n = z.Length;
        if (constant)
        {
            return z;
        }

        double logFirst = -Math.Log(scale) - Math.Log(firstSd);
        if (kind == TargetTransform.Warp && n >= 4)
        {
            double lambda = BestLambda(z);
            var slope = logDerivative.IsEmpty ? null : new double[n];
            for (int i = 0; i < n; i++)
            {
                if (slope is not null)
                {
                    // d YJ / dx = (1 + x)^(lambda - 1) for x >= 0, (1 - x)^(1 - lambda) below.
                    slope[i] = z[i] >= 0.0 ? (lambda - 1.0) * LogExpectedImprovement.Log1P(z[i]) : (1.0 - lambda) * LogExpectedImprovement.Log1P(-z[i]);
                }

                z[i] = YeoJohnson(z[i], lambda);
            }

            if (!Standardize(z, out double sd))
            {
                Array.Clear(z);
                return z;
            }

            if (slope is not null)
            {
                for (int i = 0; i < n; i++)
                {
                    logDerivative[i] = logFirst + slope[i] - Math.Log(sd);
                }
            }

            return z;
        }

        if (kind == TargetTransform.Copula && n >= 2)
        {
            double[] u = (double[])z.Clone();
            Copula(z);
            if (!Standardize(z, out double sd))
            {
                Array.Clear(z);
                return z;
            }

            if (!logDerivative.IsEmpty)
            {
                CopulaLogSlopes(u, z, logDerivative);
                for (int i = 0; i < n; i++)
                {
                    logDerivative[i] += logFirst;
                }
            }

            return z;
        }

        if (!logDerivative.IsEmpty)
        {
            logDerivative.Fill(logFirst);
        }

        return z;
    }

    /// <summary>Replaces the values by the standard normal quantiles of (rank - 1/2) / n, ties sharing their mean rank.</summary>
    private static void Copula(double[] z)
    {
        int n = z.Length;
        int[] order = [.. Enumerable.Range(0, n).OrderBy(i => z[i]).ThenBy(i => i)];
        var q = new double[n];
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end + 1 < n && z[order[end + 1]] == z[order[start]])
            {
                end++;
            }

            double rank = 0.5 * (start + end) + 1.0;
            double quantile = NormalQuantile((rank - 0.5) / n);
            for (int k = start; k <= end; k++)
            {
                q[order[k]] = quantile;
            }

            start = end + 1;
        }

        q.CopyTo(z, 0);
    }

    /// <summary>The log slopes of the piecewise-linear map from the distinct values <paramref name="u"/> to their targets <paramref name="t"/>.</summary>
    private static void CopulaLogSlopes(double[] u, double[] t, Span<double> logSlope)
    {
        int n = u.Length;
        int[] order = [.. Enumerable.Range(0, n).OrderBy(i => u[i]).ThenBy(i => i)];
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (int i in order)
        {
            if (xs.Count == 0 || u[i] != xs[^1])
            {
                xs.Add(u[i]);
                ys.Add(t[i]);
            }
        }

        int m = xs.Count;
        for (int i = 0; i < n; i++)
        {
            int k = xs.BinarySearch(u[i]);
            int lo = Math.Max(0, k - 1);
            int hi = Math.Min(m - 1, k + 1);
            double slope = hi > lo ? (ys[hi] - ys[lo]) / (xs[hi] - xs[lo]) : 1.0;
            logSlope[i] = Math.Log(Math.Max(slope, 1e-300));
        }
    }

    /// <summary>The standard normal quantile.</summary>
    internal static double NormalQuantile(double p) => MathNet.Numerics.Distributions.Normal.InvCDF(0.0, 1.0, p);

    private static double[] Scaled(ReadOnlySpan<double> values, out double scale, out double sd, out bool constant)
    {
        int n = values.Length;
        var z = new double[n];
        scale = 1.0;
        sd = 1.0;
        constant = true;
        if (n == 0)
        {
            return z;
        }

        double lo = double.PositiveInfinity;
        double hi = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (double.IsFinite(v))
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }

        if (lo > hi)
        {
            return z;
        }

        scale = Math.Max(Math.Abs(lo), Math.Abs(hi));
        if (scale == 0.0)
        {
            scale = 1.0;
            return z;
        }

        for (int i = 0; i < n; i++)
        {
            double v = values[i];
            v = double.IsNaN(v) ? hi : Math.Clamp(v, lo, hi);
            z[i] = v / scale;
        }

        if (!Standardize(z, out sd))
        {
            Array.Clear(z);
            return z;
        }

        constant = false;
        return z;
    }

    /// <summary>Applies the Yeo-Johnson transform with exponent <paramref name="lambda"/>.</summary>
    public static double YeoJohnson(double x, double lambda)
    {
        if (x >= 0.0)
        {
            return Math.Abs(lambda) < 1e-12 ? LogExpectedImprovement.Log1P(x) : (Math.Exp(lambda * LogExpectedImprovement.Log1P(x)) - 1.0) / lambda;
        }

        double mu = 2.0 - lambda;
        return Math.Abs(mu) < 1e-12 ? -LogExpectedImprovement.Log1P(-x) : -(Math.Exp(mu * LogExpectedImprovement.Log1P(-x)) - 1.0) / mu;
    }

    private static bool Standardize(Span<double> z) => Standardize(z, out _);

    /// <summary>Centers and scales to unit variance; returns false when the values are (numerically) constant.</summary>
    private static bool Standardize(Span<double> z, out double sd)
    {
        int n = z.Length;
        double mean = 0.0;
        foreach (double v in z)
        {
            mean += v;
        }

        mean /= n;
        double ss = 0.0;
        foreach (double v in z)
        {
            ss += (v - mean) * (v - mean);
        }

        sd = Math.Sqrt(ss / n);
        if (!(sd > 1e-300) || !double.IsFinite(sd))
        {
            return false;
        }

        for (int i = 0; i < n; i++)
        {
            z[i] = (z[i] - mean) / sd;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double BestLambda(ReadOnlySpan<double> z)
    {
        double logJacobianSum = 0.0;
        foreach (double v in z)
        {
            logJacobianSum += Math.Sign(v) * LogExpectedImprovement.Log1P(Math.Abs(v));
        }

        double bestLambda = 1.0;
        double best = LogLikelihood(z, 1.0, logJacobianSum);
        const int Steps = 40;
        for (int s = 0; s <= Steps; s++)
        {
            double lambda = LambdaLow + ((LambdaHigh - LambdaLow) * s / Steps);
            double ll = LogLikelihood(z, lambda, logJacobianSum);
            if (ll > best)
            {
                best = ll;
                bestLambda = lambda;
            }
        }

        // Golden-section refinement within one grid step of the best grid point.
        double step = (LambdaHigh - LambdaLow) / Steps;
        double a = Math.Max(LambdaLow, bestLambda - step);
        double b = Math.Min(LambdaHigh, bestLambda + step);
        const double InvPhi = 0.6180339887498949;
        double c = b - (InvPhi * (b - a));
        double e = a + (InvPhi * (b - a));
        double fc = LogLikelihood(z, c, logJacobianSum);
        double fe = LogLikelihood(z, e, logJacobianSum);
        for (int it = 0; it < 25; it++)
        {
            if (fc > fe)
            {
                b = e;
                e = c;
                fe = fc;
                c = b - (InvPhi * (b - a));
                fc = LogLikelihood(z, c, logJacobianSum);
            }
            else
            {
                a = c;
                c = e;
                fc = fe;
                e = a + (InvPhi * (b - a));
                fe = LogLikelihood(z, e, logJacobianSum);
            }
        }

        double mid = 0.5 * (a + b);
        return LogLikelihood(z, mid, logJacobianSum) > best ? mid : bestLambda;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LogLikelihood(ReadOnlySpan<double> z, double lambda, double logJacobianSum)
    {
        int n = z.Length;
        double mean = 0.0;
        foreach (double v in z)
        {
            mean += YeoJohnson(v, lambda);
        }

        mean /= n;
        double ss = 0.0;
        foreach (double v in z)
        {
            double t = YeoJohnson(v, lambda) - mean;
            ss += t * t;
        }

        double variance = ss / n;
        if (!(variance > 0.0) || !double.IsFinite(variance))
        {
            return double.NegativeInfinity;
        }

        return (-0.5 * n * Math.Log(variance)) + ((lambda - 1.0) * logJacobianSum);
    }
}
