using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Thompson sampling from the global model once the incumbent has stalled: one joint posterior sample over a bounded set of
/// candidates spanning the whole box (space-filling points, the incumbents with one or a few coordinates redrawn over
/// their whole range, and points of the trust region), whose minimiser is proposed. Unlike the expected improvement, a
/// sample goes where the model is uncertain in proportion to the chance that it is better there, so it can point one
/// basin over from an incumbent whose basin the EI no longer leaves.
/// </summary>
internal static class ThompsonSampling
{
    /// <summary>
    /// The number of candidates of one joint sample: the sample costs a Cholesky factorization of this size and the
    /// posterior covariance O(count n^2), so it is fixed rather than grown with the history (the latency goals).
    /// </summary>
    public const int CandidateCount = 512;

    /// <summary>
    /// The improvement, as a share of the gap between the median observed value and the best, below which the best value
    /// counts as unchanged: 1%.
    /// </summary>
    public const double StallTolerance = 0.01;

    /// <summary>
    /// Gets a value indicating whether the search has stalled: the last <c>max(4, d)</c> observations after the startup
    /// design (TuRBO's failure count, Eriksson et al. 2019) improved the best value before them by less than
    /// <see cref="StallTolerance"/> of the gap between the median observed value and that best (a shift- and
    /// scale-free measure of a meaningful step, robust to outliers). A function of the values alone, no horizon.
    /// </summary>
    /// <param name="values">The modelled values, oriented for minimization, in trial order.</param>
    /// <param name="startupTrials">The size of the startup design.</param>
    /// <param name="dimensions">The number of parameters.</param>
    /// <returns><see langword="true"/> when stalled.</returns>
    public static bool Stalled(IReadOnlyList<double> values, int startupTrials, int dimensions)
    {
        int window = Math.Max(4, dimensions);
        int n = values.Count;
        if (n - window < Math.Max(startupTrials, 1))
        {
            return false;
        }

        double before = double.PositiveInfinity;
        for (int i = 0; i < n - window; i++)
        {
            before = Math.Min(before, values[i]);
        }

        double after = before;
        for (int i = n - window; i < n; i++)
        {
            after = Math.Min(after, values[i]);
        }

        double[] sorted = [.. values];
        Array.Sort(sorted);
        double median = sorted[n / 2];
        double gap = median - after;
        return !(gap > 0.0) || before - after < StallTolerance * gap;
    }

    /// <summary>
    /// Draws one joint posterior sample over the candidates and returns them ordered by the sampled value, lowest first
    /// (the caller proposes the first it has not seen).
    /// </summary>
    /// <param name="space">The space view.</param>
    /// <param name="models">The models of the mixture.</param>
    /// <param name="weights">Their weights: the sample is drawn from one model chosen with these probabilities.</param>
    /// <param name="incumbents">The incumbents, best first (points with their inactive coordinates filled).</param>
    /// <param name="region">The trust region, or <see langword="null"/> when the whole box is searched.</param>
    /// <param name="random">The source of the candidates and of the sample.</param>
    /// <returns>The candidates, by sampled value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<double[]> Sample(GaussianProcessSpace space, IReadOnlyList<GaussianProcessModel> models, IReadOnlyList<double> weights, IReadOnlyList<double[]> incumbents, (double[] Lower, double[] Upper)? region, Random random)
    {
        List<double[]> candidates = Candidates(space, incumbents, region, random, CandidateCount);
        GaussianProcessModel model = models[Pick(weights, random)];
        int m = candidates.Count;
        int d = space.Dimensions;
        var features = new double[m * d];
        var active = new bool[d];
        for (int c = 0; c < m; c++)
        {
            space.Features(candidates[c], features.AsSpan(c * d, d), active);
        }

        var means = new double[m];
        var covariance = new double[m * m];
        model.JointPosterior(features, m, means, covariance);
        var z = new double[m];
        for (int i = 0; i < m; i++)
        {
            z[i] = AcquisitionOptimizer.Gaussian(random);
        }

        double[] sample = Draw(covariance, means, z, model.Signal);
        int[] order = [.. Enumerable.Range(0, m).OrderBy(i => sample[i]).ThenBy(i => i)];
        return [.. order.Select(i => candidates[i])];
    }

    /// <summary>
    /// The candidates: half space-filling (scrambled Sobol over the whole box); a quarter the incumbents with k coordinates
    /// redrawn uniformly over their whole range (k = 1 with probability 1/2, 2 with 1/4, ...: mostly "one basin over" on a
    /// single coordinate); a quarter Sobol points of the trust region (the whole box when there is none).
    /// </summary>
    internal static List<double[]> Candidates(GaussianProcessSpace space, IReadOnlyList<double[]> incumbents, (double[] Lower, double[] Upper)? region, Random random, int count)
    {
        int d = space.Dimensions;
        var result = new List<double[]>(count);
        int moves = incumbents.Count > 0 ? count / 4 : 0;
        int local = count / 4;
        int global = count - moves - local;
        var sobol = new SobolSequence(d, random);
        for (int c = 0; c < global; c++)
        {
            var point = new double[d];
            sobol.Point(c, point);
            result.Add(Snapped(space, point));
        }

        for (int c = 0; c < moves; c++)
        {
            double[] point = (double[])incumbents[c % incumbents.Count].Clone();
            int k = 1;
            while (k < d && random.NextDouble() < 0.5)
            {
                k++;
            }

            for (int j = 0; j < k; j++)
            {
                point[random.Next(d)] = random.NextDouble();
            }

            result.Add(Snapped(space, point));
        }

        var regional = new SobolSequence(d, random);
        for (int c = 0; c < local; c++)
        {
            var point = new double[d];
            regional.Point(c, point);
            if (region is (double[] lower, double[] upper))
            {
                for (int i = 0; i < d; i++)
                {
                    point[i] = lower[i] + (point[i] * (upper[i] - lower[i]));
                }
            }

            result.Add(Snapped(space, point));
        }

        return result;
    }

    /// <summary>
    /// Returns mean + L z for the Cholesky factor L of the covariance (lower triangle, overwritten), with a jitter on the
    /// diagonal that grows from 1e-10 of the output scale until the factorization succeeds; past 1e-2 the points are
    /// sampled independently from their marginals.
    /// </summary>
    internal static double[] Draw(double[] covariance, double[] means, double[] z, double signal)
    {
        int m = means.Length;
        var work = new double[m * m];
        double jitter = 1e-10 * signal;
        bool factored = false;
        while (jitter <= 1e-2 * signal)
        {
            covariance.AsSpan().CopyTo(work);
            for (int i = 0; i < m; i++)
            {
                work[(i * m) + i] += jitter;
            }

            if (DenseMath.TryCholesky(work, m))
            {
                factored = true;
                break;
            }

            jitter *= 10.0;
        }

        var sample = new double[m];
        for (int i = 0; i < m; i++)
        {
            sample[i] = factored
                ? means[i] + DenseMath.Dot(work.AsSpan(i * m, i + 1), z.AsSpan(0, i + 1))
                : means[i] + (Math.Sqrt(Math.Max(covariance[(i * m) + i], 0.0)) * z[i]);
        }

        return sample;
    }

    private static double[] Snapped(GaussianProcessSpace space, double[] point)
    {
        for (int i = 0; i < point.Length; i++)
        {
            point[i] = space.Snap(i, point[i]);
        }

        return point;
    }

    private static int Pick(IReadOnlyList<double> weights, Random random)
    {
        double total = weights.Sum();
        double u = random.NextDouble() * total;
        for (int k = 0; k < weights.Count; k++)
        {
            u -= weights[k];
            if (u < 0.0)
            {
                return k;
            }
        }

        return weights.Count - 1;
    }
}
