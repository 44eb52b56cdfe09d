using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class SobolSequenceTests
{
    [Fact]
    public void Point_Unscrambled_StartsWithTheKnownSobolPoints()
    {
        var sobol = new SobolSequence(3, scramble: null);
        var p = new double[3];
        const double half = 0.5 / 4294967296.0; // every coordinate is offset by half of the last digit

        sobol.Point(0, p);
        Assert.Equal([half, half, half], p);
        sobol.Point(1, p);
        Assert.Equal([0.5 + half, 0.5 + half, 0.5 + half], p);
        sobol.Point(2, p); // Gray code 3: v1 ^ v2
        Assert.Equal([0.75 + half, 0.25 + half, 0.25 + half], p);
        sobol.Point(3, p); // Gray code 2: v2
        Assert.Equal([0.25 + half, 0.75 + half, 0.75 + half], p);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(64)]
    [InlineData(130)]
    public void Point_ScrambledFirst2PowK_FillEveryElementaryIntervalOfEachCoordinateOnce(int dimensions)
    {
        var sobol = new SobolSequence(dimensions, new Random(11));
        const int k = 6;
        var counts = new int[dimensions, 1 << k];
        var p = new double[dimensions];
        for (int i = 0; i < 1 << k; i++)
        {
            sobol.Point(i, p);
            for (int j = 0; j < dimensions; j++)
            {
                Assert.InRange(p[j], 0.0, 1.0);
                Assert.True(p[j] is > 0 and < 1);
                counts[j, (int)(p[j] * (1 << k))]++;
            }
        }

        foreach (int c in counts)
        {
            Assert.Equal(1, c);
        }
    }

    [Fact]
    public void Point_ScrambledFirstPoint_DependsOnTheSeedAndIsNeverFixed()
    {
        var firsts = new HashSet<double>();
        var p = new double[2];
        for (int seed = 0; seed < 20; seed++)
        {
            new SobolSequence(2, new Random(seed)).Point(0, p);
            firsts.Add(p[0]);
            Assert.NotEqual(0.5 / 4294967296.0, p[0]);
        }

        Assert.Equal(20, firsts.Count);
    }

    [Fact]
    public void Point_TwoDimensionalProjection_IsMoreEvenThanRandom()
    {
        // The first 256 points of two late table dimensions: each of the 16 x 16 cells of the unit square holds exactly one.
        var sobol = new SobolSequence(40, new Random(1));
        var p = new double[40];
        var cells = new int[16, 16];
        for (int i = 0; i < 256; i++)
        {
            sobol.Point(i, p);
            cells[(int)(p[0] * 16), (int)(p[1] * 16)]++;
        }

        Assert.True(cells.Cast<int>().Max() <= 2, $"max cell count {cells.Cast<int>().Max()}");
    }
}
