using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>The hyperparameters of the GP: log lengthscales (one per feature), log output scale and log noise variance.</summary>
internal sealed record GpHyperparameters(double[] LogLengthscales, double LogSignal, double LogNoise)
{
    /// <summary>
    /// Gets the leave-one-out log predictive density of the targets the hyperparameters were fitted on (NaN when not
    /// computed): the evidence by which the output transform is chosen.
    /// </summary>
    public double LooLogDensity { get; init; } = double.NaN;

    /// <summary>
    /// Gets a value indicating whether the prior mean is the per-coordinate quadratic trend (<see cref="TrendMean"/>, fitted
    /// by the restricted likelihood) instead of the constant.
    /// </summary>
    public bool Trend { get; init; }

    /// <summary>Gets the same hyperparameters with the output scale and the noise variance multiplied by <paramref name="factor"/>.</summary>
    public GpHyperparameters Rescaled(double factor) =>
        this with { LogSignal = LogSignal + Math.Log(factor), LogNoise = LogNoise + Math.Log(factor) };

    /// <summary>Packs the hyperparameters into one vector: lengthscales, signal, noise.</summary>
    public double[] ToVector() => [.. LogLengthscales, LogSignal, LogNoise];

    /// <summary>Unpacks a vector written by <see cref="ToVector"/>.</summary>
    public static GpHyperparameters FromVector(ReadOnlySpan<double> theta)
    {
        int d = theta.Length - 2;
        return new GpHyperparameters(theta[..d].ToArray(), theta[d], theta[d + 1]);
    }
}

/// <summary>
/// A Gaussian-process posterior for fixed hyperparameters: a constant prior mean estimated by generalized least squares
/// (far from the data the model expects a typical value, not the average of a cluster of good ones) or a quadratic trend
/// (<see cref="TrendMean"/>, universal kriging: the variance includes the trend's estimation term), Matern-5/2 ARD kernel,
/// Gaussian noise. Holds the Cholesky factor of K + noise I and K^-1 y; predicts the mean and variance of the latent
/// function, with gradients over the numeric features.
/// </summary>
/// <remarks>Keeps scratch buffers, so an instance is not thread-safe. Prediction costs O(n d + n^2).</remarks>
internal sealed class GaussianProcessModel
{
    private readonly double[] x;
    private readonly double[] factor;
    private readonly double[] alpha;
    private readonly double[] weights;
    private readonly double[] kernel;
    private readonly double[] solved;
    private readonly double[] kernelSlope;
    private readonly GeneralizedLeastSquares? universal;
    private readonly double[] basisRow = [];
    private readonly double[] trendResidual = [];
    private readonly double[] trendSolved = [];
    private readonly double[] trendWeights = [];
    private double[]? inverseFactor;
    private double[] batchKernel = [];
    private double[] batchScratch = [];

    private GaussianProcessModel(double[] x, int count, int dimension, int numeric, double[] weights, double signal, double[] factor, double[] alpha, GeneralizedLeastSquares? universal)
    {
        this.universal = universal;
        if (universal is not null)
        {
            basisRow = new double[universal.Size];
            trendResidual = new double[universal.Size];
            trendSolved = new double[universal.Size];
            trendWeights = new double[count];
        }

        this.x = x;
        Count = count;
        Dimension = dimension;
        Numeric = numeric;
        this.weights = weights;
        Signal = signal;
        this.factor = factor;
        this.alpha = alpha;
        kernel = new double[count];
        solved = new double[count];
        kernelSlope = new double[count];
    }

    /// <summary>Gets the number of training points.</summary>
    public int Count { get; }

    /// <summary>Gets the number of features.</summary>
    public int Dimension { get; }

    /// <summary>Gets the number of numeric features (they come first).</summary>
    public int Numeric { get; }

    /// <summary>Gets the constant prior mean (the trend's constant coefficient when the mean is a trend).</summary>
    public double PriorMean => MeanCoefficients[0];

    /// <summary>Gets the prior mean's coefficients (the constant alone, or the trend's <see cref="TrendMean"/> coefficients).</summary>
    public double[] MeanCoefficients { get; private init; } = [];

    /// <summary>Gets the output scale (prior variance of the latent function).</summary>
    public double Signal { get; }

    /// <summary>
    /// Builds the posterior for <paramref name="count"/> points <paramref name="x"/> (row-major, <paramref name="dimension"/>
    /// features each) with targets <paramref name="y"/>. Adds growing jitter to the diagonal until the factorization succeeds.
    /// With a trend (<see cref="GpHyperparameters.Trend"/>) the posterior is universal kriging: the trend's coefficients are
    /// estimated by generalized least squares and the variance includes their estimation term. The constant mean is plugged
    /// in as known, as the tuner has always done (its one coefficient's estimation term is small, and the design functions
    /// lost by adding it, benchmarks/README.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GaussianProcessModel Create(double[] x, int count, int dimension, int numeric, ReadOnlySpan<double> y, GpHyperparameters h)
    {
        var weights = new double[dimension];
        for (int k = 0; k < dimension; k++)
        {
            weights[k] = Math.Exp(-2.0 * h.LogLengthscales[k]);
        }

        double signal = Math.Exp(h.LogSignal);
        double noise = Math.Exp(h.LogNoise);
        int n = count;
        var factor = new double[n * n];
        double jitter = 0.0;
        for (int attempt = 0; ; attempt++)
        {
            Fill(x, n, dimension, numeric, weights, signal, noise + jitter, factor);
            if (DenseMath.TryCholesky(factor, n))
            {
                break;
            }

            if (attempt >= 12)
            {
                throw new InvalidOperationException("The GP kernel matrix could not be factorized even with a large jitter.");
            }

            jitter = jitter == 0.0 ? 1e-10 * signal : jitter * 10.0;
        }

        // Prior mean by generalized least squares: beta = (H' K^-1 H)^-1 H' K^-1 y (for the constant, (1' K^-1 y) / (1' K^-1 1));
        // then alpha = K^-1 (y - H beta).
        var alpha = y[..n].ToArray();
        int size = TrendMean.Size(h.Trend, numeric);
        DenseMath.SolveLower(factor, n, alpha);
        GeneralizedLeastSquares gls = GeneralizedLeastSquares.Solve(factor, n, TrendMean.Columns(x, n, dimension, numeric, size), size, alpha)
            ?? throw new InvalidOperationException("The GP's trend basis is degenerate on these points.");
        DenseMath.SolveLowerTransposed(factor, n, alpha);
        return new GaussianProcessModel(x, n, dimension, numeric, weights, signal, factor, alpha, h.Trend ? gls : null)
        {
            MeanCoefficients = gls.Coefficients,
        };
    }

    /// <summary>Gets the prior mean at a feature vector (the constant, or the trend there).</summary>
    public double MeanAt(ReadOnlySpan<double> feature)
    {
        if (MeanCoefficients.Length <= 1)
        {
            return PriorMean;
        }

        Span<double> row = stackalloc double[MeanCoefficients.Length];
        TrendMean.Row(feature, Numeric, MeanCoefficients.Length, row);
        return DenseMath.Dot(row, MeanCoefficients);
    }

    /// <summary>
    /// Gets the maximum-likelihood factor for the output scale given the correlations: (y - c)' K^-1 (y - c) / n. Multiplying
    /// the output scale and the noise variance by it fits the amplitude to these targets (the lengthscales and the
    /// signal-to-noise ratio stay as fitted).
    /// </summary>
    public double AmplitudeFactor(ReadOnlySpan<double> y)
    {
        double q = 0.0;
        for (int i = 0; i < Count; i++)
        {
            q += (y[i] - MeanAt(x.AsSpan(i * Dimension, Dimension))) * alpha[i];
        }

        // The trend is fitted by the restricted likelihood, whose amplitude estimate has n - p degrees of freedom.
        return MeanCoefficients.Length > 1 ? q / (Count - MeanCoefficients.Length) : q / Count;
    }

    /// <summary>
    /// Writes the posterior mean of the latent function at the first <paramref name="count"/> training points: y - noise * K^-1 (y - c).
    /// </summary>
    public void TrainingMeans(ReadOnlySpan<double> y, double noise, int count, Span<double> means)
    {
        for (int i = 0; i < count; i++)
        {
            means[i] = y[i] - (noise * alpha[i]);
        }
    }

    /// <summary>Predicts the posterior mean and variance of the latent function at a feature vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Predict(ReadOnlySpan<double> feature, out double variance)
    {
        int n = Count;
        int d = Dimension;
        double mean = MeanAt(feature);
        for (int i = 0; i < n; i++)
        {
            double k = Signal * MaternKernel.Correlation(MaternKernel.SquaredDistance(feature, x.AsSpan(i * d, d), weights, Numeric));
            kernel[i] = k;
            mean += alpha[i] * k;
        }

        DenseMath.SolveLower(factor, n, kernel);
        double raw = Signal - DenseMath.Dot(kernel.AsSpan(0, n), kernel.AsSpan(0, n));
        if (universal is not null)
        {
            TrendMean.Row(feature, Numeric, universal.Size, basisRow);
            raw += universal.EstimationVariance(basisRow, kernel, trendResidual, default);
        }

        variance = Math.Max(raw, 1e-12 * Signal);
        return mean;
    }

    /// <summary>
    /// Predicts the posterior mean and variance and their gradients with respect to the numeric features (the entries of the
    /// gradient spans past <see cref="Numeric"/> are set to 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Predict(ReadOnlySpan<double> feature, out double variance, Span<double> meanGradient, Span<double> varianceGradient)
    {
        int n = Count;
        int d = Dimension;
        double mean = MeanAt(feature);
        for (int i = 0; i < n; i++)
        {
            double m = MaternKernel.Correlation(MaternKernel.SquaredDistance(feature, x.AsSpan(i * d, d), weights, Numeric), out double slope);
            double k = Signal * m;
            kernel[i] = k;
            solved[i] = k;
            kernelSlope[i] = 2.0 * Signal * slope; // dk/dfeature_j = kernelSlope * w_j * (feature_j - x_ij)
            mean += alpha[i] * k;
        }

        DenseMath.SolveLower(factor, n, solved);
        double raw = Signal - DenseMath.Dot(solved.AsSpan(0, n), solved.AsSpan(0, n));
        if (universal is not null)
        {
            // + r' A^-1 r, r = h - Q' L^-1 k; its gradient is 2 u' dh - 2 (K^-1 H u)' dk with u = A^-1 r.
            TrendMean.Row(feature, Numeric, universal.Size, basisRow);
            raw += universal.EstimationVariance(basisRow, solved, trendResidual, trendSolved);
            Array.Clear(trendWeights);
            for (int c = 0; c < universal.Size; c++)
            {
                DenseMath.Axpy(trendSolved[c], universal.Whitened.AsSpan(c * n, n), trendWeights);
            }

            DenseMath.SolveLowerTransposed(factor, n, trendWeights);
        }

        bool floored = raw <= 1e-12 * Signal;
        variance = floored ? 1e-12 * Signal : raw;
        DenseMath.SolveLowerTransposed(factor, n, solved); // solved = K^-1 k

        meanGradient.Clear();
        varianceGradient.Clear();
        if (universal is not null)
        {
            for (int j = 0; j < Numeric; j++)
            {
                meanGradient[j] = TrendMean.Slope(MeanCoefficients, feature, Numeric, j);
                varianceGradient[j] = floored ? 0.0 : 2.0 * TrendMean.Slope(trendSolved, feature, Numeric, j);
            }
        }

        for (int i = 0; i < n; i++)
        {
            double am = alpha[i] * kernelSlope[i];
            double av = floored ? 0.0 : -2.0 * (solved[i] + (universal is null ? 0.0 : trendWeights[i])) * kernelSlope[i];
            ReadOnlySpan<double> xi = x.AsSpan(i * d, d);
            for (int j = 0; j < Numeric; j++)
            {
                double t = weights[j] * (feature[j] - xi[j]);
                meanGradient[j] += am * t;
                varianceGradient[j] += av * t;
            }
        }

        return mean;
    }

    /// <summary>
    /// Predicts the posterior means and variances at <paramref name="count"/> feature vectors (row-major in
    /// <paramref name="features"/>): the same quantities as <see cref="Predict(ReadOnlySpan{double}, out double)"/>, for many
    /// points at a lower cost per point.
    /// </summary>
    /// <remarks>
    /// The variance is <c>s - |L^-1 k|^2</c> with <c>L^-1</c> computed once per model. The points go in blocks of one
    /// <see cref="Vector{T}"/> width, their kernel vectors interleaved (one vector per training point holds the block's
    /// values), so the product with <c>L^-1</c> broadcasts each entry of four rows of <c>L^-1</c> against one vector: no
    /// horizontal sums, and no step waits on the one before (as the steps of a triangular solve do).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PredictBatch(ReadOnlySpan<double> features, int count, Span<double> means, Span<double> variances)
    {
        int n = Count;
        int d = Dimension;
        int w = Vector<double>.Count;
        if (inverseFactor is null)
        {
            inverseFactor = new double[n * n];
            DenseMath.LowerInverse(factor, n, inverseFactor, new double[n * n]);
            batchKernel = new double[w * n];
            batchScratch = new double[w * n];
        }

        double[] m = inverseFactor;
        Span<Vector<double>> r2 = MemoryMarshal.Cast<double, Vector<double>>(batchScratch.AsSpan());
        Span<Vector<double>> k = MemoryMarshal.Cast<double, Vector<double>>(batchKernel.AsSpan());
        Span<double> lanes = stackalloc double[w];
        Span<Vector<double>> blockFeatures = d <= 64 ? stackalloc Vector<double>[d] : new Vector<double>[d];
        int p = universal?.Size ?? 0;
        double[] whitened = universal?.Whitened ?? [];
        Span<Vector<double>> trendProducts = p <= 64 ? stackalloc Vector<double>[p] : new Vector<double>[p];
        for (int start = 0; start < count; start += w)
        {
            int block = Math.Min(w, count - start);

            // The block's features transposed (one vector per feature); a short last block repeats its last point, and the
            // repeats are not written out.
            for (int f = 0; f < d; f++)
            {
                for (int q = 0; q < w; q++)
                {
                    lanes[q] = features[((start + Math.Min(q, block - 1)) * d) + f];
                }

                blockFeatures[f] = new Vector<double>(lanes);
            }

            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<double> xi = x.AsSpan(i * d, d);
                Vector<double> sum = Vector<double>.Zero;
                for (int f = 0; f < Numeric; f++)
                {
                    Vector<double> diff = blockFeatures[f] - new Vector<double>(xi[f]);
                    sum += new Vector<double>(weights[f]) * (diff * diff);
                }

                for (int f = Numeric; f < d; f++)
                {
                    sum += Vector.ConditionalSelect(Vector.Equals(blockFeatures[f], new Vector<double>(xi[f])), Vector<double>.Zero, new Vector<double>(weights[f]));
                }

                r2[i] = sum;
            }

            MaternKernel.Correlations(batchScratch, Signal, batchKernel);

            Vector<double> mean = Vector<double>.Zero;
            for (int i = 0; i < n; i++)
            {
                mean += new Vector<double>(alpha[i]) * k[i];
            }

            // v = L^-1 k, four rows at a time over their common columns, then the small triangle; squares summed as they come.
            Vector<double> squares = Vector<double>.Zero;
            trendProducts.Clear();
            int row = 0;
            for (; row + 4 <= n; row += 4)
            {
                ReadOnlySpan<double> m0 = m.AsSpan(row * n, row + 1);
                ReadOnlySpan<double> m1 = m.AsSpan((row + 1) * n, row + 2);
                ReadOnlySpan<double> m2 = m.AsSpan((row + 2) * n, row + 3);
                ReadOnlySpan<double> m3 = m.AsSpan((row + 3) * n, row + 4);
                Vector<double> v0 = Vector<double>.Zero;
                Vector<double> v1 = Vector<double>.Zero;
                Vector<double> v2 = Vector<double>.Zero;
                Vector<double> v3 = Vector<double>.Zero;
                for (int j = 0; j <= row; j++)
                {
                    Vector<double> kj = k[j];
                    v0 += new Vector<double>(m0[j]) * kj;
                    v1 += new Vector<double>(m1[j]) * kj;
                    v2 += new Vector<double>(m2[j]) * kj;
                    v3 += new Vector<double>(m3[j]) * kj;
                }

                v1 += new Vector<double>(m1[row + 1]) * k[row + 1];
                v2 += (new Vector<double>(m2[row + 1]) * k[row + 1]) + (new Vector<double>(m2[row + 2]) * k[row + 2]);
                v3 += (new Vector<double>(m3[row + 1]) * k[row + 1]) + (new Vector<double>(m3[row + 2]) * k[row + 2]) + (new Vector<double>(m3[row + 3]) * k[row + 3]);
                squares += (v0 * v0) + (v1 * v1) + (v2 * v2) + (v3 * v3);
                for (int c = 0; c < p; c++)
                {
                    ReadOnlySpan<double> qc = whitened.AsSpan((c * n) + row, 4);
                    trendProducts[c] += (new Vector<double>(qc[0]) * v0) + (new Vector<double>(qc[1]) * v1) + (new Vector<double>(qc[2]) * v2) + (new Vector<double>(qc[3]) * v3);
                }
            }

            for (; row < n; row++)
            {
                ReadOnlySpan<double> mr = m.AsSpan(row * n, row + 1);
                Vector<double> v = Vector<double>.Zero;
                for (int j = 0; j <= row; j++)
                {
                    v += new Vector<double>(mr[j]) * k[j];
                }

                squares += v * v;
                for (int c = 0; c < p; c++)
                {
                    trendProducts[c] += new Vector<double>(whitened[(c * n) + row]) * v;
                }
            }

            for (int q = 0; q < block; q++)
            {
                ReadOnlySpan<double> point = features.Slice((start + q) * d, d);
                double raw = Signal - squares[q];
                if (universal is not null)
                {
                    TrendMean.Row(point, Numeric, p, basisRow);
                    for (int c = 0; c < p; c++)
                    {
                        trendResidual[c] = basisRow[c] - trendProducts[c][q];
                    }

                    raw += universal.Quadratic(trendResidual, default);
                }

                means[start + q] = MeanAt(point) + mean[q];
                variances[start + q] = Math.Max(raw, 1e-12 * Signal);
            }
        }
    }

    /// <summary>Fills the lower triangle of K + noise I.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Fill(double[] x, int n, int d, int numeric, ReadOnlySpan<double> weights, double signal, double diagonal, Span<double> matrix)
    {
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> xi = x.AsSpan(i * d, d);
            for (int j = 0; j < i; j++)
            {
                matrix[(i * n) + j] = signal * MaternKernel.Correlation(MaternKernel.SquaredDistance(xi, x.AsSpan(j * d, d), weights, numeric));
            }

            matrix[(i * n) + i] = signal + diagonal;
        }
    }
}
