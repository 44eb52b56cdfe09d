using Hpo.SearchSpaces;

namespace Hpo.Tuners.SimulatedAnnealing;

/// <summary>Draws neighbours of a point (see <see cref="SimulatedAnnealingTuner"/>).</summary>
internal sealed class NeighbourSampler
{
    private readonly UnitCubeEncoding encoding;
    private readonly EncodedHistory history;
    private readonly Random random;

    public NeighbourSampler(UnitCubeEncoding encoding, EncodedHistory history, Random random)
    {
        this.encoding = encoding;
        this.history = history;
        this.random = random;
    }

    /// <summary>
    /// Draws a neighbour of <paramref name="current"/>: each active parameter moves with probability
    /// <see cref="AnnealingSettings.MoveRate"/> (at least one does), numeric ones by a Gaussian step of standard deviation
    /// <paramref name="step"/> in the unit cube. The others keep their exact values.
    /// </summary>
    public PointDraft Sample(EncodedTrial current, double step)
    {
        int dims = encoding.Dimensions;
        bool[] move = new bool[dims];
        int activeCount = 0;
        bool any = false;
        for (int j = 0; j < dims; j++)
        {
            if (!double.IsNaN(current.Unit[j]))
            {
                activeCount++;
                move[j] = random.NextDouble() < AnnealingSettings.MoveRate;
                any |= move[j];
            }
        }

        if (!any)
        {
            int pick = random.Next(activeCount);
            for (int j = 0; j < dims; j++)
            {
                if (!double.IsNaN(current.Unit[j]) && pick-- == 0)
                {
                    move[j] = true;
                    break;
                }
            }
        }

        var next = new PointDraft(encoding);
        for (int j = 0; j < dims; j++)
        {
            if (!next.IsActive(j))
            {
                next.Clear(j); // switched off by a move of its parent
            }
            else if (double.IsNaN(current.Unit[j]))
            {
                // Switched on by a move of its parent: a step away from its value in the best trial where it was active.
                if (Recall(next, j))
                {
                    next.Set(j, Move(j, next.Unit[j], step));
                }
            }
            else if (move[j])
            {
                next.Set(j, Move(j, current.Unit[j], step));
            }
            else
            {
                next.Copy(j, current);
            }
        }

        return next;
    }

    private double Move(int j, double value, double step) =>
        encoding.Kind(j) == ParameterKind.Categorical
            ? UnitMath.OtherChoice(encoding, j, value, random)
            : UnitMath.NumericMove(encoding, j, value, step, random);

    /// <summary>Gives a parameter that a move switched on the value it had in the best trial where it was active (and returns true), else a random one.</summary>
    private bool Recall(PointDraft next, int j)
    {
        if (history.BestWhereActive(j) is EncodedTrial b)
        {
            next.Copy(j, b);
            return true;
        }

        next.Set(j, random.NextDouble());
        return false;
    }
}
