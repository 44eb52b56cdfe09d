using Hpo.SearchSpaces;

namespace Hpo.Tuners;

/// <summary>Moves in the unit cube shared by the evolutionary tuners.</summary>
internal static class UnitMath
{
    /// <summary>Folds a coordinate into [0, 1] like a ball bouncing off the bounds, so a step near a bound stays close to it.</summary>
    public static double Reflect(double x)
    {
        x = Math.Abs(x) % 2.0;
        return x > 1.0 ? 2.0 - x : x;
    }

    /// <summary>Draws a standard normal number (Box–Muller).</summary>
    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Moves a numeric coordinate by a Gaussian step of standard deviation <paramref name="sigma"/>, reflected into [0, 1]. For an
    /// integer or stepped float the move always changes the value: a step too small to leave the current grid value goes to the
    /// adjacent one in the step's direction.
    /// </summary>
    public static double NumericMove(UnitCubeEncoding encoding, int dim, double value, double sigma, Random random)
    {
        double moved = Reflect(value + (sigma * Gaussian(random)));
        if (encoding.Cardinality(dim) < 2)
        {
            return moved;
        }

        double before = encoding.FromUnit(dim, value);
        if (encoding.FromUnit(dim, moved) != before)
        {
            return moved;
        }

        int direction = moved >= value ? 1 : -1;
        return encoding.Space.Parameters[dim].Distribution switch
        {
            IntDistribution n => encoding.ToUnit(dim, Adjacent((long)((before - n.Low) / n.Step), n.GridCount, direction) * (double)n.Step + n.Low),
            FloatDistribution f => encoding.ToUnit(dim, f.GridValue(Adjacent(f.GridIndex(before), f.GridCount, direction))),
            _ => moved,
        };
    }

    /// <summary>Moves a categorical coordinate to the centre of another choice, drawn uniformly.</summary>
    public static double OtherChoice(UnitCubeEncoding encoding, int dim, double value, Random random)
    {
        long count = encoding.Cardinality(dim);
        if (count < 2)
        {
            return value;
        }

        long current = Math.Min((long)(value * count), count - 1);
        long other = random.NextInt64(count - 1);
        return (other + (other >= current ? 1 : 0) + 0.5) / count;
    }

    private static long Adjacent(long index, long count, int direction)
    {
        long next = index + direction;
        return next < 0 || next >= count ? index - direction : next;
    }
}
