using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Maximizes LogEI over a mixed space: scores scrambled-Sobol candidates and perturbations of the incumbents, then from the
/// best few (and the incumbent) alternates L-BFGS-B over the continuous coordinates with a coordinate search over the
/// discrete ones (every value of a categorical or small ordinal; neighbours at growing distances for large ordinals) until
/// the discrete coordinates stop changing.
/// </summary>
/// <remarks>Not thread-safe (it reuses buffers); one instance serves one proposal.</remarks>
internal sealed class AcquisitionOptimizer
{
    private const int MaxRounds = 4;
    private const int MaxCoordinatePasses = 3;

    private readonly GaussianProcessSpace space;
    private readonly GaussianProcessModel[] models;
    private readonly double[] logValues;
    private readonly double[] combinedGradient;
    private readonly double[] bests;
    private readonly double[] logWeights;
    private readonly double[] feature;
    private readonly bool[] active;
    private readonly double[] meanGradient;
    private readonly double[] varianceGradient;
    private readonly double[] scratchPoint;
    private readonly double[] boxLower;
    private readonly double[] boxUpper;

    /// <summary>Initializes a new instance of the <see cref="AcquisitionOptimizer"/> class.</summary>
    /// <param name="space">The space view.</param>
    /// <param name="models">GP posteriors on standardized targets; the acquisition is the mean of their EIs.</param>
    /// <param name="best">The incumbent's standardized target (smaller is better).</param>
    public AcquisitionOptimizer(GaussianProcessSpace space, IReadOnlyList<GaussianProcessModel> models, double best)
        : this(space, models, [.. models.Select(_ => best)], [.. models.Select(_ => 1.0 / models.Count)])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="AcquisitionOptimizer"/> class for a weighted mixture of models.</summary>
    /// <param name="space">The space view.</param>
    /// <param name="models">GP posteriors, each on its own standardized targets; the acquisition is the weighted mean of their EIs.</param>
    /// <param name="bests">Each model's incumbent target (smaller is better), in that model's units.</param>
    /// <param name="weights">The models' weights (positive; they are normalized).</param>
    public AcquisitionOptimizer(GaussianProcessSpace space, IReadOnlyList<GaussianProcessModel> models, IReadOnlyList<double> bests, IReadOnlyList<double> weights)
    {
        this.space = space;
        this.models = [.. models];
        logValues = new double[this.models.Length];
        combinedGradient = new double[space.Dimensions];
        this.bests = [.. bests];
        double total = weights.Sum();
        logWeights = [.. weights.Select(w => Math.Log(w / total))];
        feature = new double[space.Dimensions];
        active = new bool[space.Dimensions];
        meanGradient = new double[space.Dimensions];
        varianceGradient = new double[space.Dimensions];
        scratchPoint = new double[space.Dimensions];
        boxLower = new double[space.Dimensions];
        boxUpper = new double[space.Dimensions];
    }

    /// <summary>Gets the number of acquisition evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Computes LogEI at a point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Value(ReadOnlySpan<double> point)
    {
        Evaluations++;
        space.Features(point, feature, active);
        if (models.Length == 1)
        {
            double mean = models[0].Predict(feature, out double variance);
            return LogExpectedImprovement.Value(mean, Math.Sqrt(variance), bests[0], out _, out _);
        }

        double max = double.NegativeInfinity;
        for (int k = 0; k < models.Length; k++)
        {
            double mean = models[k].Predict(feature, out double variance);
            logValues[k] = LogExpectedImprovement.Value(mean, Math.Sqrt(variance), bests[k], out _, out _) + logWeights[k];
            max = Math.Max(max, logValues[k]);
        }

        double sum = 0.0;
        for (int k = 0; k < models.Length; k++)
        {
            sum += Math.Exp(logValues[k] - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>Computes LogEI at every point of <paramref name="pool"/> (its values are overwritten), in batches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Score(List<(double[] Point, double Value)> pool)
    {
        const int Batch = 256;
        int d = space.Dimensions;
        var features = new double[Batch * d];
        var means = new double[Batch];
        var variances = new double[Batch];
        var logs = models.Length == 1 ? null : new double[models.Length * Batch];
        for (int start = 0; start < pool.Count; start += Batch)
        {
            int count = Math.Min(Batch, pool.Count - start);
            for (int c = 0; c < count; c++)
            {
                space.Features(pool[start + c].Point, features.AsSpan(c * d, d), active);
            }

            Evaluations += count;
            for (int k = 0; k < models.Length; k++)
            {
                models[k].PredictBatch(features, count, means, variances);
                for (int c = 0; c < count; c++)
                {
                    double logEi = LogExpectedImprovement.Value(means[c], Math.Sqrt(variances[c]), bests[k], out _, out _) + logWeights[k];
                    if (logs is null)
                    {
                        pool[start + c] = (pool[start + c].Point, logEi);
                    }
                    else
                    {
                        logs[(k * Batch) + c] = logEi;
                    }
                }
            }

            if (logs is not null)
            {
                for (int c = 0; c < count; c++)
                {
                    double max = double.NegativeInfinity;
                    for (int k = 0; k < models.Length; k++)
                    {
                        max = Math.Max(max, logs[(k * Batch) + c]);
                    }

                    double sum = 0.0;
                    for (int k = 0; k < models.Length; k++)
                    {
                        sum += Math.Exp(logs[(k * Batch) + c] - max);
                    }

                    pool[start + c] = (pool[start + c].Point, max + Math.Log(sum));
                }
            }
        }
    }

    /// <summary>
    /// Runs the search and returns the distinct local optima found, best first, each with its LogEI.
    /// </summary>
    /// <param name="incumbents">Points of the best observations, best first (their inactive coordinates filled).</param>
    /// <param name="candidateCount">The number of Sobol candidates.</param>
    /// <param name="restarts">The number of candidates to refine.</param>
    /// <param name="random">The source of the candidates' scramble and of the perturbations.</param>
    /// <param name="region">A trust region to search within, as lower and upper bounds per coordinate (the discrete
    /// coordinates stay free), or <see langword="null"/> for the whole space.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<(double[] Point, double Value)> Optimize(IReadOnlyList<double[]> incumbents, int candidateCount, int restarts, Random random, (double[] Lower, double[] Upper)? region = null)
    {
        int d = space.Dimensions;
        Array.Fill(boxLower, 0.0);
        Array.Fill(boxUpper, 1.0);
        if (region is (double[] regionLower, double[] regionUpper))
        {
            foreach (int i in space.Relaxed)
            {
                boxLower[i] = regionLower[i];
                boxUpper[i] = regionUpper[i];
            }
        }

        var pool = new List<(double[] Point, double Value)>(candidateCount + 256);
        var sobol = new SobolSequence(d, random);
        for (int c = 0; c < candidateCount; c++)
        {
            var point = new double[d];
            sobol.Point(c, point);
            foreach (int i in space.Relaxed)
            {
                point[i] = boxLower[i] + (point[i] * (boxUpper[i] - boxLower[i]));
            }

            SnapDiscrete(point);
            pool.Add((point, 0.0));
        }

        // Neighbourhoods of the incumbents: Gaussian steps on the continuous coordinates at three scales, and now and then
        // one discrete coordinate moved to another value.
        int perIncumbent = Math.Min(64, Math.Max(16, candidateCount / 32));
        double[] scales = [0.002, 0.02, 0.1];
        for (int b = 0; b < Math.Min(3, incumbents.Count); b++)
        {
            for (int c = 0; c < perIncumbent; c++)
            {
                double[] point = (double[])incumbents[b].Clone();
                double scale = scales[c % scales.Length];
                foreach (int i in space.Relaxed)
                {
                    point[i] = Math.Clamp(point[i] + (scale * Gaussian(random)), boxLower[i], boxUpper[i]);
                }

                if (space.Discrete.Length > 0 && (space.Relaxed.Length == 0 || random.NextDouble() < 0.5))
                {
                    int i = space.Discrete[random.Next(space.Discrete.Length)];
                    point[i] = random.NextDouble();
                }

                SnapDiscrete(point);
                pool.Add((point, 0.0));
            }
        }

        Score(pool);
        pool.Sort((a, b) => b.Value.CompareTo(a.Value));

        var starts = new List<double[]>();
        foreach ((double[] point, _) in pool)
        {
            if (starts.Count >= restarts)
            {
                break;
            }

            if (!starts.Exists(s => s.AsSpan().SequenceEqual(point)))
            {
                starts.Add(point);
            }
        }

        if (incumbents.Count > 0)
        {
            starts.Add((double[])incumbents[0].Clone());
        }

        var results = new List<(double[] Point, double Value)>();
        var optimizer = space.Relaxed.Length > 0 ? new BoundedLbfgs(space.Relaxed.Length) : null;
        foreach (double[] start in starts)
        {
            double[] point = (double[])start.Clone();
            double value = Refine(point, optimizer);
            if (!results.Exists(r => r.Point.AsSpan().SequenceEqual(point)))
            {
                results.Add((point, value));
            }
        }

        // Keep the raw candidates behind the refined points, so a caller that must skip duplicates has alternatives.
        foreach ((double[] point, double value) in pool)
        {
            if (results.Count >= restarts + 1 + 32)
            {
                break;
            }

            if (!results.Exists(r => r.Point.AsSpan().SequenceEqual(point)))
            {
                results.Add((point, value));
            }
        }

        results.Sort((a, b) => b.Value.CompareTo(a.Value));
        return results;
    }

    /// <summary>Alternates L-BFGS-B on the relaxed coordinates with coordinate search on the discrete ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Refine(double[] point, BoundedLbfgs? optimizer)
    {
        double value = Value(point);
        for (int round = 0; round < MaxRounds; round++)
        {
            if (optimizer is not null)
            {
                value = Math.Max(value, ContinuousStep(point, optimizer));
            }

            bool changed = false;
            for (int pass = 0; pass < MaxCoordinatePasses; pass++)
            {
                bool passChanged = false;
                foreach (int i in space.Discrete)
                {
                    passChanged |= CoordinateStep(point, i, ref value);
                }

                changed |= passChanged;
                if (!passChanged)
                {
                    break;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double ContinuousStep(double[] point, BoundedLbfgs optimizer)
    {
        int[] relaxed = space.Relaxed;
        int m = relaxed.Length;
        Span<double> x = stackalloc double[m];
        Span<double> lower = stackalloc double[m];
        Span<double> upper = stackalloc double[m];
        for (int j = 0; j < m; j++)
        {
            x[j] = point[relaxed[j]];
            lower[j] = boxLower[relaxed[j]];
            upper[j] = boxUpper[relaxed[j]];
        }

        double before = Value(point);
        double negative = optimizer.Minimize(Objective, x, lower, upper, 100, 1e-9, 1e-7);
        if (!(-negative > before))
        {
            return before; // keep the start: the search did not improve it
        }

        for (int j = 0; j < m; j++)
        {
            point[relaxed[j]] = x[j];
        }

        // Large ordinals were relaxed: move them to the value they decode to; the coordinate search then checks neighbours.
        bool snapped = false;
        foreach (int i in relaxed)
        {
            if (space.Kinds[i] == GpDimensionKind.Ordinal)
            {
                point[i] = space.Snap(i, point[i]);
                snapped = true;
            }
        }

        return snapped ? Value(point) : -negative;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        double Objective(ReadOnlySpan<double> z, Span<double> gradient)
        {
            Evaluations++;
            point.CopyTo(scratchPoint, 0);
            for (int j = 0; j < m; j++)
            {
                scratchPoint[relaxed[j]] = z[j];
            }

            space.Features(scratchPoint, feature, active);
            double max = double.NegativeInfinity;
            Array.Clear(combinedGradient);
            for (int k = 0; k < models.Length; k++)
            {
                double mean = models[k].Predict(feature, out double variance, meanGradient, varianceGradient);
                double sd = Math.Sqrt(variance);
                double logEi = LogExpectedImprovement.Value(mean, sd, bests[k], out double dMean, out double dSd) + logWeights[k];
                logValues[k] = logEi;
                double newMax = Math.Max(max, logEi);

                // Running log-sum-exp of the EIs with their gradients weighted by exp(logEi - newMax).
                double rescale = double.IsNegativeInfinity(max) ? 0.0 : Math.Exp(max - newMax);
                double weight = Math.Exp(logEi - newMax);
                for (int f = 0; f < space.Numeric; f++)
                {
                    combinedGradient[f] = (combinedGradient[f] * rescale) + (weight * ((dMean * meanGradient[f]) + (dSd * varianceGradient[f] / (2.0 * sd))));
                }

                max = newMax;
            }

            double total = 0.0;
            for (int k = 0; k < models.Length; k++)
            {
                total += Math.Exp(logValues[k] - max);
            }

            for (int j = 0; j < m; j++)
            {
                int i = relaxed[j];
                gradient[j] = active[i] ? -combinedGradient[space.FeatureOf[i]] / total : 0.0;
            }

            return -(max + Math.Log(total));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool CoordinateStep(double[] point, int i, ref double value)
    {
        space.Activity(point, active);
        if (!active[i])
        {
            return false;
        }

        double original = point[i];
        double bestU = original;
        double bestValue = value;
        if (space.Values[i] is double[] values)
        {
            foreach (double u in values)
            {
                Try(u, ref bestU, ref bestValue);
            }
        }
        else
        {
            // A large ordinal: neighbours at distances 1, 2, 4, ... values on both sides.
            long count = space.Cardinality[i];
            double width = 1.0 / count;
            for (long step = 1; step < count; step *= 2)
            {
                Try(space.Snap(i, original + (step * width)), ref bestU, ref bestValue);
                Try(space.Snap(i, original - (step * width)), ref bestU, ref bestValue);
            }
        }

        point[i] = bestU;
        if (bestU != original)
        {
            value = bestValue;
            return true;
        }

        return false;

        void Try(double u, ref double bestUnit, ref double bestVal)
        {
            if (u == original)
            {
                return;
            }

            point[i] = u;
            double v = Value(point);
            point[i] = original;
            if (v > bestVal)
            {
                bestVal = v;
                bestUnit = u;
            }
        }
    }

    private void SnapDiscrete(double[] point)
    {
        foreach (int i in space.Discrete)
        {
            point[i] = space.Snap(i, point[i]);
        }
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
