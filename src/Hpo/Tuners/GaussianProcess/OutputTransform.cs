using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Turns raw objective values (already oriented so that smaller is better) into GP targets: infinities clipped to the
/// finite extremes, scaled without overflow, standardized, warped by a Yeo-Johnson power transform whose exponent maximizes
/// the Gaussian likelihood of the result, and standardized again.
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
    public static double[] Apply(ReadOnlySpan<double> values, bool warp)
    {
        int n = values.Length;
        var z = new double[n];
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
            return z; // nothing finite: all equal
        }

        double scale = Math.Max(Math.Abs(lo), Math.Abs(hi));
        if (scale == 0.0)
        {
            return z;
        }

        for (int i = 0; i < n; i++)
        {
            double v = values[i];
            v = double.IsNaN(v) ? hi : Math.Clamp(v, lo, hi);
            z[i] = v / scale;
        }

        if (!Standardize(z))
        {
            Array.Clear(z);
            return z;
        }

        if (warp && n >= 4)
        {
            double lambda = BestLambda(z);
            for (int i = 0; i < n; i++)
            {
                z[i] = YeoJohnson(z[i], lambda);
            }

            if (!Standardize(z))
            {
                Array.Clear(z);
            }
        }

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

    /// <summary>Centers and scales to unit variance; returns false when the values are (numerically) constant.</summary>
    private static bool Standardize(Span<double> z)
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

        double sd = Math.Sqrt(ss / n);
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
