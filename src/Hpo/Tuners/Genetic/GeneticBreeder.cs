using Hpo.SearchSpaces;

namespace Hpo.Tuners.Genetic;

/// <summary>Breeds one child from the population rebuilt from a history (see <see cref="GeneticTuner"/>).</summary>
internal sealed class GeneticBreeder
{
    private const int MaxRepeatAttempts = 32;

    /// <summary>The distribution index of simulated binary crossover: small values spread children widely around their parents.</summary>
    private const double CrossoverIndex = 2.0;

    /// <summary>The smallest standard deviation of a numeric mutation, as a fraction of the unit cube, so a converged population keeps moving.</summary>
    private const double MinSigma = 0.03;

    private readonly UnitCubeEncoding encoding;
    private readonly EncodedHistory history;
    private readonly GeneticTunerOptions options;
    private readonly Random random;
    private readonly IReadOnlyList<EncodedTrial> population;
    private readonly double[] sigma;
    private readonly int dims;

    public GeneticBreeder(UnitCubeEncoding encoding, EncodedHistory history, GeneticPopulation population, GeneticTunerOptions options, Random random)
    {
        this.encoding = encoding;
        this.history = history;
        this.options = options;
        this.random = random;
        this.population = population.Members;
        dims = encoding.Dimensions;
        sigma = Spread(this.population);
    }

    /// <summary>Breeds a child: selection, crossover, mutation, then repairs until it repeats no trial.</summary>
    public PointDraft Breed()
    {
        EncodedTrial first = Tournament(-1);
        EncodedTrial second = Tournament(first.Number);
        bool cross = random.NextDouble() < options.CrossoverRate;
        var child = new PointDraft(encoding);
        for (int j = 0; j < dims; j++)
        {
            if (!child.IsActive(j))
            {
                child.Clear(j);
                continue;
            }

            double a = first.Unit[j];
            double b = second.Unit[j];
            if (double.IsNaN(a) && double.IsNaN(b))
            {
                Inherit(child, j); // switched on in the child by its parents' mix: from the population
            }
            else if (double.IsNaN(b) || (!double.IsNaN(a) && !cross))
            {
                child.Copy(j, first);
            }
            else if (double.IsNaN(a))
            {
                child.Copy(j, second);
            }
            else if (encoding.Kind(j) == ParameterKind.Categorical)
            {
                child.Copy(j, random.NextDouble() < 0.5 ? first : second);
            }
            else
            {
                child.Set(j, Cross(a, b));
            }

            if (random.NextDouble() < options.MutationRate)
            {
                child.Set(j, Mutate(j, child.Unit[j], 1.0));
            }
        }

        // A repeat (likely once the population has converged in a discrete space): mutate again, with steps that widen, and
        // if the neighbourhood is exhausted draw a fresh point at random.
        for (int attempt = 0; attempt < MaxRepeatAttempts && history.Contains(child.Unit); attempt++)
        {
            child = MutateOne(child, Math.Pow(2, attempt / 4.0));
        }

        return history.Contains(child.Unit) ? PointDraft.Fresh(encoding, history, random, 2 * MaxRepeatAttempts) : child;
    }

    private double[] Spread(IReadOnlyList<EncodedTrial> members)
    {
        double[] result = new double[dims];
        for (int j = 0; j < dims; j++)
        {
            double sum = 0;
            double sumSquares = 0;
            int n = 0;
            foreach (EncodedTrial m in members)
            {
                double v = m.Unit[j];
                if (!double.IsNaN(v))
                {
                    sum += v;
                    sumSquares += v * v;
                    n++;
                }
            }

            double sd = n >= 2 ? Math.Sqrt(Math.Max(0.0, (sumSquares - (sum * sum / n)) / (n - 1))) : 0.3;
            result[j] = Math.Max(MinSigma, options.MutationScale * sd);
        }

        return result;
    }

    private EncodedTrial Tournament(int excludeNumber)
    {
        // The population is sorted best first, so the winner of a tournament is the member with the smallest index drawn.
        int k = Math.Min(options.TournamentSize, population.Count);
        int winner = 0;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            winner = int.MaxValue;
            for (int i = 0; i < k; i++)
            {
                winner = Math.Min(winner, random.Next(population.Count));
            }

            if (population[winner].Number != excludeNumber)
            {
                break;
            }
        }

        return population[winner];
    }

    /// <summary>Simulated binary crossover of two coordinates: one of the two children, drawn at random, reflected into [0, 1].</summary>
    private double Cross(double a, double b)
    {
        double u = random.NextDouble();
        double beta = u <= 0.5 ? Math.Pow(2 * u, 1.0 / (CrossoverIndex + 1)) : Math.Pow(1.0 / (2 * (1 - u)), 1.0 / (CrossoverIndex + 1));
        double c = random.NextDouble() < 0.5
            ? 0.5 * (((1 + beta) * a) + ((1 - beta) * b))
            : 0.5 * (((1 - beta) * a) + ((1 + beta) * b));
        return UnitMath.Reflect(c);
    }

    /// <summary>Gives an active parameter that neither parent has a value: from the best population member that has it, else from the best trial that had it (mutated), else a random one.</summary>
    private void Inherit(PointDraft child, int j)
    {
        foreach (EncodedTrial m in population)
        {
            if (!double.IsNaN(m.Unit[j]))
            {
                child.Copy(j, m);
                return;
            }
        }

        // No member has it (the population has converged on another branch): recall it from the best trial where it was
        // active, mutated, so that a branch left behind is explored again from what was learnt about it.
        if (history.BestWhereActive(j) is EncodedTrial b)
        {
            child.Copy(j, b);
            child.Set(j, Mutate(j, child.Unit[j], 1.0));
            return;
        }

        child.Set(j, random.NextDouble());
    }

    private double Mutate(int j, double value, double widen) =>
        encoding.Kind(j) == ParameterKind.Categorical
            ? UnitMath.OtherChoice(encoding, j, value, random)
            : UnitMath.NumericMove(encoding, j, value, Math.Min(1.0, sigma[j] * widen), random);

    /// <summary>Mutates one active parameter of a point, with its step widened by <paramref name="widen"/>, then brings its conditional parameters in line.</summary>
    private PointDraft MutateOne(PointDraft point, double widen)
    {
        var active = new List<int>(dims);
        for (int j = 0; j < dims; j++)
        {
            if (!double.IsNaN(point.Unit[j]))
            {
                active.Add(j);
            }
        }

        PointDraft next = point.Clone();
        int dim = active[random.Next(active.Count)];
        next.Set(dim, Mutate(dim, point.Unit[dim], widen));
        for (int j = dim + 1; j < dims; j++)
        {
            if (!next.IsActive(j))
            {
                next.Clear(j);
            }
            else if (double.IsNaN(next.Unit[j]))
            {
                Inherit(next, j); // switched on by the mutation
            }
        }

        return next;
    }
}
