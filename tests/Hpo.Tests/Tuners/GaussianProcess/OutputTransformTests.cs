using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class OutputTransformTests
{
    [Fact]
    public void Apply_ConstantValues_GivesZeros()
    {
        Assert.Equal([0.0, 0.0, 0.0, 0.0, 0.0], OutputTransform.Apply([3.5, 3.5, 3.5, 3.5, 3.5], warp: true));
    }

    [Fact]
    public void Apply_Infinities_AreClippedToTheFiniteExtremes()
    {
        double[] z = OutputTransform.Apply([1.0, double.PositiveInfinity, 2.0, double.NegativeInfinity, 3.0], warp: false);

        Assert.All(z, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(z[4], z[1], 1e-12);
        Assert.Equal(z[0], z[3], 1e-12);
    }

    [Fact]
    public void Apply_ValuesFrom1EMinus300To1E300_StayFiniteAndOrdered()
    {
        double[] values = [1e-300, 1e300, 1.0, 1e100, -1e300, 1e-100];

        double[] z = OutputTransform.Apply(values, warp: true);

        Assert.All(z, v => Assert.True(double.IsFinite(v)));
        // Relative to 1e300 the small values are all about 0 (ties are allowed); the order is never reversed.
        Assert.True(z[4] < z[0] && z[0] <= z[5] && z[5] <= z[2] && z[2] <= z[3] && z[3] < z[1]);
    }

    [Fact]
    public void Apply_LongRightTail_IsCompressedByTheWarp()
    {
        var values = Enumerable.Range(0, 50).Select(i => Math.Exp(i / 5.0)).ToArray();

        double[] plain = OutputTransform.Apply(values, warp: false);
        double[] warped = OutputTransform.Apply(values, warp: true);

        // The largest value stands far out without the warp and much less with it.
        Assert.True(warped[^1] < plain[^1] - 0.5, $"warped max {warped[^1]}, plain max {plain[^1]}");
        Assert.Equal(0.0, warped.Average(), 1e-9);
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(Arbitraries)])]
    public bool Apply_AnyValues_KeepsTheirOrderUpToRounding(double[] values)
    {
        // Values closer than the precision of the largest one may tie or swap by an ulp; nothing more.
        double[] z = OutputTransform.Apply(values, warp: true);
        for (int i = 0; i < values.Length; i++)
        {
            for (int j = 0; j < values.Length; j++)
            {
                if (values[i] < values[j] && !(z[i] <= z[j] + 1e-12))
                {
                    return false;
                }
            }
        }

        return z.All(double.IsFinite);
    }

    public static class Arbitraries
    {
        public static Arbitrary<double[]> Values() =>
            Arb.From(Gen.Choose(1, 30).SelectMany(n => Gen.ArrayOf(Gen.Choose(-300, 300).Select(e => Math.Sign(e) * Math.Pow(10, e / 30.0)), n)));
    }
}
