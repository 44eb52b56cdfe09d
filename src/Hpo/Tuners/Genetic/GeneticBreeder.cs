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

    public double[] Breed()
    {
        EncodedTrial first = Tournament(-1);
        EncodedTrial second = Tournament(first.Number);
        bool cross = random.NextDouble() < options.CrossoverRate;
        double[] child = new double[dims];
        double[] internals = new double[dims];
        double rate = options.MutationRate;
        for (int j = 0; j < dims; j++)
        {
            if (!encoding.IsActive(j, internals))
            {
                child[j] = double.NaN;
                internals[j] = double.NaN;
                continue;
            }

            double a = first.Unit[j];
            double b = second.Unit[j];
            double value;
            if (double.IsNaN(a) || double.IsNaN(b))
            {
                value = double.IsNaN(a) ? (double.IsNaN(b) ? Inherit(j) : b) : a;
            }
            else if (!cross)
            {
                value = a;
            }
            else if (encoding.Kind(j) == ParameterKind.Categorical)
            {
                value = random.NextDouble() < 0.5 ? a : b;
            }
            else
            {
                value = Cross(a, b);
            }

            if (random.NextDouble() < rate)
            {
                value = Mutate(j, value);
            }

            child[j] = value;
            internals[j] = encoding.FromUnit(j, value);
        }

        double[] canonical = EncodedHistory.Canonical(encoding, child);
        for (int attempt = 0; attempt < MaxRepeatAttempts && history.Contains(canonical); attempt++)
        {
            canonical = MutateOne(canonical);
        }

        return canonical;
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

    private double Inherit(int j)
    {
        // Neither parent has the parameter: take it from the best population member that does, else draw it.
        foreach (EncodedTrial m in population)
        {
            if (!double.IsNaN(m.Unit[j]))
            {
                return m.Unit[j];
            }
        }

        return random.NextDouble();
    }

    private double Mutate(int j, double value) =>
        encoding.Kind(j) == ParameterKind.Categorical
            ? UnitMath.OtherChoice(encoding, j, value, random)
            : UnitMath.NumericMove(encoding, j, value, sigma[j], random);

    private double[] MutateOne(double[] point)
    {
        var active = new List<int>(dims);
        for (int j = 0; j < dims; j++)
        {
            if (!double.IsNaN(point[j]))
            {
                active.Add(j);
            }
        }

        double[] next = (double[])point.Clone();
        int dim = active[random.Next(active.Count)];
        next[dim] = Mutate(dim, point[dim]);
        for (int j = dim + 1; j < dims; j++)
        {
            if (double.IsNaN(next[j]))
            {
                next[j] = Inherit(j); // a child that the mutation may have switched on
            }
        }

        return EncodedHistory.Canonical(encoding, next);
    }
}
