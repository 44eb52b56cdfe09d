using Hpo.SearchSpaces;

namespace Hpo.Tuners.SimulatedAnnealing;

/// <summary>Draws neighbours of a point in the unit cube (see <see cref="SimulatedAnnealingTuner"/>).</summary>
internal sealed class NeighbourSampler
{
    private readonly UnitCubeEncoding encoding;
    private readonly EncodedHistory history;
    private readonly Random random;
    private readonly double moveRate;

    public NeighbourSampler(UnitCubeEncoding encoding, EncodedHistory history, Random random, double moveRate)
    {
        this.encoding = encoding;
        this.history = history;
        this.random = random;
        this.moveRate = moveRate;
    }

    /// <summary>Draws a canonical neighbour of <paramref name="current"/> with numeric steps of standard deviation <paramref name="step"/>.</summary>
    public double[] Sample(double[] current, double step)
    {
        int dims = current.Length;
        double[] next = new double[dims];
        double[] internals = new double[dims];
        bool[] move = new bool[dims];
        int activeCount = 0;
        bool any = false;
        for (int j = 0; j < dims; j++)
        {
            if (!double.IsNaN(current[j]))
            {
                activeCount++;
                move[j] = random.NextDouble() < moveRate;
                any |= move[j];
            }
        }

        if (!any && activeCount > 0)
        {
            int pick = random.Next(activeCount);
            for (int j = 0; j < dims; j++)
            {
                if (!double.IsNaN(current[j]) && pick-- == 0)
                {
                    move[j] = true;
                    break;
                }
            }
        }

        for (int j = 0; j < dims; j++)
        {
            if (!encoding.IsActive(j, internals))
            {
                next[j] = double.NaN;
                internals[j] = double.NaN;
                continue;
            }

            double value = current[j];
            if (double.IsNaN(value))
            {
                value = Recall(j); // switched on by a move of its parent
            }
            else if (move[j])
            {
                value = Move(j, value, step);
            }

            next[j] = value;
            internals[j] = encoding.FromUnit(j, value);
        }

        return EncodedHistory.Canonical(encoding, next);
    }

    private double Recall(int j)
    {
        double best = double.PositiveInfinity;
        double value = double.NaN;
        foreach (EncodedTrial t in history.Trials)
        {
            if (t.HasLoss && t.Loss < best && !double.IsNaN(t.Unit[j]))
            {
                best = t.Loss;
                value = t.Unit[j];
            }
        }

        return double.IsNaN(value) ? random.NextDouble() : value;
    }

    private double Move(int j, double value, double step) =>
        encoding.Kind(j) == ParameterKind.Categorical
            ? UnitMath.OtherChoice(encoding, j, value, random)
            : UnitMath.NumericMove(encoding, j, value, step, random);
}
