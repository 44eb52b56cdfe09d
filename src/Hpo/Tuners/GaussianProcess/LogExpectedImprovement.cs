using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// The logarithm of expected improvement (LogEI, Ament et al., NeurIPS 2023) for minimization, computed so that it stays
/// finite and has a useful gradient however far a point lies in the tail, where EI itself underflows to 0.
/// </summary>
/// <remarks>
/// With z = (best - mean) / sd, EI = sd h(z) with h(z) = phi(z) + z Phi(z). For z &gt; -1, log h is computed directly; below,
/// h(z) = phi(z) (1 - sqrt(pi/2) |z| erfcx(|z| / sqrt 2)) and the bracket is taken as log1mexp of its logarithm; below
/// -30, where that bracket would lose digits to cancellation, its asymptotic series is used (accurate to rounding there).
/// The derivative d log h / dz = Phi(z) / h(z) is formed from the same pieces.
/// </remarks>
internal static class LogExpectedImprovement
{
    private const double Sqrt2 = 1.4142135623730951;
    private const double HalfLog2Pi = 0.91893853320467274;
    private const double SqrtHalfPi = 1.2533141373155003;
    private const double InvSqrt2Pi = 0.3989422804014327;
    private const double SeriesStart = 30.0;

    /// <summary>Computes log h(z) and its derivative with respect to z.</summary>
    public static double LogH(double z, out double dLogHdz)
    {
        if (z > -1.0)
        {
            double cdf = 0.5 * Erfc(-z / Sqrt2);
            double pdf = InvSqrt2Pi * Math.Exp(-0.5 * z * z);
            double h = pdf + (z * cdf);
            dLogHdz = cdf / h;
            return Math.Log(h);
        }

        double t = -z; // > 1
        if (t < SeriesStart)
        {
            // h(z) = phi(z) (1 - sqrt(pi/2) t erfcx(t / sqrt 2)); the bracket is formed as log1mexp of its logarithm.
            double ex = Erfcx(t / Sqrt2);
            double logBracket = Log1MExp(Math.Log(t * ex) + Math.Log(SqrtHalfPi));
            dLogHdz = SqrtHalfPi * ex / Math.Exp(logBracket);
            return (-0.5 * z * z) - HalfLog2Pi + logBracket;
        }

        // Far in the tail the bracket cancels to about 1/t^2; its asymptotic series (and that of sqrt(pi/2) erfcx(t / sqrt 2)
        // = (1/t)(1 - 1/t^2 + 3/t^4 - ...)) avoid the cancellation: bracket = (1/t^2)(1 - 3/t^2 + 15/t^4 - 105/t^6 + ...).
        double u = 1.0 / (t * t);
        double bracketSeries = 1.0 - (u * (3.0 - (u * (15.0 - (u * (105.0 - (u * (945.0 - (u * 10395.0)))))))));
        double scaledErfcx = 1.0 - (u * (1.0 - (u * (3.0 - (u * (15.0 - (u * (105.0 - (u * 945.0)))))))));
        dLogHdz = t * scaledErfcx / bracketSeries;
        return (-0.5 * z * z) - HalfLog2Pi - (2.0 * Math.Log(t)) + Math.Log(bracketSeries);
    }

    /// <summary>Computes log EI for a posterior with mean <paramref name="mean"/> and standard deviation <paramref name="sd"/> &gt; 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Value(double mean, double sd, double best, out double dMean, out double dSd)
    {
        double z = (best - mean) / sd;
        double logH = LogH(z, out double g);
        // log EI = log sd + log h(z); dz/dmean = -1/sd; dz/dsd = -z/sd.
        dMean = -g / sd;
        dSd = (1.0 - (g * z)) / sd;
        return Math.Log(sd) + logH;
    }

    /// <summary>Computes erfc(x) for any real x.</summary>
    public static double Erfc(double x) => MathNet.Numerics.SpecialFunctions.Erfc(x);

    /// <summary>
    /// Computes the scaled complementary error function erfcx(x) = exp(x^2) erfc(x) for x &gt;= 0, without overflow.
    /// MathNet.Numerics 5 has no erfcx (only erf, erfc and their inverses), so it is formed here from MathNet's erfc.
    /// </summary>
    public static double Erfcx(double x)
    {
        if (x < 10.0)
        {
            // exp(x^2) with the rounding error of x^2 carried separately, so the product keeps full relative precision.
            double x2 = x * x;
            double lo = Math.FusedMultiplyAdd(x, x, -x2);
            return Math.Exp(x2) * Math.Exp(lo) * Erfc(x);
        }

        // Continued fraction erfcx(x) = (1/sqrt(pi)) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backwards.
        double f = x;
        for (int k = 40; k >= 1; k--)
        {
            f = x + (0.5 * k / f);
        }

        return 0.56418958354775628 / f;
    }

    /// <summary>Computes log(1 - exp(a)) for a &lt; 0 accurately (Maechler's rule; MathNet.Numerics has no log1mexp).</summary>
    public static double Log1MExp(double a) =>
        a > -0.6931471805599453 ? Math.Log(-ExpM1(a)) : Log1P(-Math.Exp(a));

    /// <summary>Computes exp(x) - 1 accurately for small |x|.</summary>
    /// <remarks>
    /// Kept by hand rather than MathNet.Numerics' <c>SpecialFunctions.Expm1</c>/<c>Log1p</c>: those allocate about 100 bytes
    /// per call, and LogEI's tail calls <see cref="Log1MExp"/> once per scored candidate. <c>bdn --filter
    /// '*GaussianProcessKernelBenchmarks*'</c>, 1,024 calls of each pair, same run at load average 64: these 84-298 us and
    /// 0 B against MathNet's 313-689 us and 100 KB (benchmarks/README.md). Erfc and the normal quantile are MathNet's.
    /// </remarks>
    public static double ExpM1(double x)
    {
        if (Math.Abs(x) < 1e-5)
        {
            return x + (0.5 * x * x) + (x * x * x / 6.0);
        }

        double u = Math.Exp(x);
        if (u == 1.0)
        {
            return x;
        }

        double um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : um1 * x / Math.Log(u);
    }

    /// <summary>Computes log(1 + x) accurately for small |x|.</summary>
    public static double Log1P(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }
}
