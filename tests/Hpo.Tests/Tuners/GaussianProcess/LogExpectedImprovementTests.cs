using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class LogExpectedImprovementTests
{
    [Theory]
    [InlineData(3.0)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    [InlineData(-0.9)]
    [InlineData(-3.0)]
    [InlineData(-8.0)]
    public void LogH_ModerateArguments_MatchesTheDirectFormula(double z)
    {
        double cdf = 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-z / Math.Sqrt(2));
        double pdf = Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
        double direct = Math.Log(pdf + (z * cdf));

        double value = LogExpectedImprovement.LogH(z, out double slope);

        Assert.Equal(direct, value, 1e-9 * Math.Max(1, Math.Abs(direct)));
        Assert.Equal(cdf / (pdf + (z * cdf)), slope, 1e-7 * Math.Max(1, Math.Abs(slope)));
    }

    [Theory]
    [InlineData(-40.0)]
    [InlineData(-1e3)]
    [InlineData(-1e6)]
    [InlineData(-1e9)]
    [InlineData(-1e150)]
    public void LogH_FarInTheTail_IsFiniteWithAPositiveSlopeWhereEIUnderflows(double z)
    {
        double value = LogExpectedImprovement.LogH(z, out double slope);

        Assert.True(double.IsFinite(value) && value < -700, $"log h({z}) = {value}");
        Assert.True(double.IsFinite(slope) && slope > 0, $"slope {slope}");
        // Asymptotically log h(z) = -z^2/2 - log(2 pi)/2 - 2 log|z| + log(1 - 3/z^2 + 15/z^4 - ...), slope |z| + 2/|z| - 6/|z|^3 + 42/|z|^5 - ...
        double u = 1 / (z * z);
        Assert.Equal((-0.5 * z * z) - 0.9189385332046727 - (2 * Math.Log(-z)) + Math.Log(1 - (3 * u) + (15 * u * u) - (105 * u * u * u) + (945 * u * u * u * u)), value, Math.Abs(value) * 1e-12);
        Assert.Equal(-z + (2 / -z) - (6 / (-z * z * z)) + (42 / (-z * z * z * z * z)), slope, Math.Abs(z) * 1e-9);
        Assert.Equal(0.0, Math.Exp(value));
    }

    [Fact]
    public void LogH_AcrossTheBranchPoints_IsContinuousAndMonotone()
    {
        double previous = double.NegativeInfinity;
        for (double z = -70_000_000; z < 5; z = z < -100 ? z / 1.5 : z + 0.001)
        {
            double v = LogExpectedImprovement.LogH(z, out double slope);
            Assert.True(v > previous, $"log h is not increasing at {z}");
            Assert.True(slope > 0);
            previous = v;
        }

        foreach (double edge in new[] { -1.0, -30.0 })
        {
            double left = LogExpectedImprovement.LogH(edge - 1e-12, out double dl);
            double right = LogExpectedImprovement.LogH(edge + 1e-12, out double dr);
            Assert.Equal(left, right, 1e-9 * Math.Abs(left));
            Assert.Equal(dl, dr, 1e-9 * Math.Abs(dl));
        }
    }

    [Theory]
    [InlineData(-0.3)]
    [InlineData(-2.5)]
    [InlineData(-25.0)]
    [InlineData(-300.0)]
    public void LogH_Slope_MatchesAFiniteDifference(double z)
    {
        double h = 1e-6 * Math.Max(1, Math.Abs(z));
        double numeric = (LogExpectedImprovement.LogH(z + h, out _) - LogExpectedImprovement.LogH(z - h, out _)) / (2 * h);

        LogExpectedImprovement.LogH(z, out double slope);

        Assert.Equal(numeric, slope, Math.Abs(slope) * 1e-4);
    }

    [Fact]
    public void Value_GradientWithRespectToMeanAndSd_MatchesFiniteDifferences()
    {
        const double mean = 2.0;
        const double sd = 0.3;
        const double best = 0.1; // z = -6.33: deep in the tail
        double v = LogExpectedImprovement.Value(mean, sd, best, out double dMean, out double dSd);
        double e = 1e-6;

        double numMean = (LogExpectedImprovement.Value(mean + e, sd, best, out _, out _) - LogExpectedImprovement.Value(mean - e, sd, best, out _, out _)) / (2 * e);
        double numSd = (LogExpectedImprovement.Value(mean, sd + e, best, out _, out _) - LogExpectedImprovement.Value(mean, sd - e, best, out _, out _)) / (2 * e);

        Assert.True(double.IsFinite(v));
        Assert.Equal(numMean, dMean, Math.Abs(dMean) * 1e-5);
        Assert.Equal(numSd, dSd, Math.Abs(dSd) * 1e-5);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 0.42758357615580700)]
    [InlineData(5.0, 0.11070463773306863)]
    [InlineData(12.0, 0.046854221014893)]
    [InlineData(30.0, 0.018795888861416751)]
    public void Erfcx_KnownValues_AreAccurate(double x, double expected)
    {
        Assert.Equal(expected, LogExpectedImprovement.Erfcx(x), expected * 1e-12);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public bool Value_AnyPosteriorAndIncumbent_IsFiniteWithFiniteGradient(Posterior p)
    {
        double v = LogExpectedImprovement.Value(p.Mean, p.Sd, p.Best, out double dMean, out double dSd);
        return double.IsFinite(v) && double.IsFinite(dMean) && double.IsFinite(dSd) && dMean < 0;
    }

    public readonly record struct Posterior(double Mean, double Sd, double Best);

    public static class Arbitraries
    {
        public static Arbitrary<Posterior> Posterior()
        {
            Gen<double> values = Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 1000.0);
            Gen<double> sds = Gen.Choose(-9, 3).Select(e => Math.Pow(10, e));
            return Arb.From(
                from mean in values
                from sd in sds
                from best in values
                select new Posterior(mean, sd, best));
        }
    }
}
