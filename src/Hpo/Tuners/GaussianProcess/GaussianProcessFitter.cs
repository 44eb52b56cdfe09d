using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Fits the GP hyperparameters by maximum a posteriori: the log marginal likelihood of the standardized outputs (with the
/// constant mean profiled out by generalized least squares) plus log priors, maximized over log parameters with multi-start
/// <see cref="BoundedLbfgs"/>.
/// </summary>
/// <remarks>
/// <para>
/// Priors (Hvarfner et al., ICML 2024, for the lengthscales): each lengthscale ~ LogNormal(sqrt 2 + ln(d)/2, sqrt 3), the
/// output scale ~ LogNormal(0, 1), the noise variance ~ LogNormal(-5, 2) above a floor: broad, so that once there is data the
/// likelihood decides between a deterministic objective and a noisy one. Densities are taken on the natural
/// scale, so the mode of the lengthscale prior is exp(mu - sigma^2), about 0.2 sqrt(d) in the unit cube.
/// </para>
/// <para>
/// One evaluation costs one Cholesky factorization (n^3/6 multiply-adds), the inverse from the factor for the trace terms
/// of the gradient (n^3/3) and O(n^2 d) for the kernel and the gradient. The pairwise squared differences are computed once
/// per fit, one array of all pairs per feature, so the O(n^2 d) work runs as long vector loops without allocation.
/// </para>
/// </remarks>
internal sealed class GaussianProcessFitter
{
    private const double HalfLog2Pi = 0.91893853320467274;
    private const double LengthscaleSigma = 1.7320508075688772;
    private const double SignalMu = 0.0;
    private const double SignalSigma = 1.0;
    private const double NoiseMu = -5.0;
    private const double NoiseSigma = 2.0;
    private const double RelativeTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    /// <summary>The number of iterations a later start runs before it is compared with the best fit so far.</summary>
    internal const int RaceIterations = 5;

    /// <summary>How far (in log posterior) a later start may trail the best fit after <see cref="RaceIterations"/> and go on.</summary>
    internal const double RaceMargin = 1.0;

    private readonly int n;
    private readonly int d;
    private readonly double[] y;
    private readonly double[] differences;
    private readonly double[] matrix;
    private readonly double[] inverse;
    private readonly double[] work;
    private readonly double[] alpha;
    private readonly double[] ones;
    private readonly double[] pairKernel;
    private readonly double[] pairSlope;
    private readonly double[] pairR2;
    private readonly double[] pairCoefficient;
    private readonly int pairs;
    private readonly double[] weights;
    private readonly double[] weightedSums;
    private readonly double logNoiseFloor;
    private readonly int size;
    private readonly bool trend;
    private readonly double[] basis = [];
    private readonly double[] whitenedBasis = [];
    private readonly double[] projection = [];

    /// <summary>Initializes a new instance of the <see cref="GaussianProcessFitter"/> class.</summary>
    /// <param name="x">The features, row-major, <paramref name="count"/> rows of <paramref name="dimension"/>.</param>
    /// <param name="count">The number of points.</param>
    /// <param name="dimension">The number of features.</param>
    /// <param name="numeric">The number of numeric features (the rest are categorical).</param>
    /// <param name="y">The standardized targets.</param>
    /// <param name="noiseFloor">The smallest noise variance allowed.</param>
    /// <param name="trend">Whether the prior mean is the quadratic <see cref="TrendMean"/> (fitted by the restricted
    /// likelihood, its leave-one-out density re-estimating the coefficients without the left-out point, Dubrule 1983) instead
    /// of the constant (profile likelihood, plugged in).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public GaussianProcessFitter(double[] x, int count, int dimension, int numeric, ReadOnlySpan<double> y, double noiseFloor, bool trend = false)
    {
        size = TrendMean.Size(trend, numeric);
        this.trend = trend;
        if (trend)
        {
            basis = TrendMean.Columns(x, count, dimension, numeric, size);
            whitenedBasis = new double[basis.Length];
            projection = new double[count * size];
        }

        n = count;
        d = dimension;
        this.y = y[..count].ToArray();
        pairs = n * (n - 1) / 2;

        // Pairwise squared differences, one block of all pairs per feature, pairs in the order of the rows of the lower
        // triangle ((1,0), (2,0), (2,1), ...).
        differences = new double[pairs * d];
        for (int k = 0; k < d; k++)
        {
            Span<double> block = differences.AsSpan(k * pairs, pairs);
            int p = 0;
            for (int i = 0; i < n; i++)
            {
                double a = x[(i * d) + k];
                for (int j = 0; j < i; j++, p++)
                {
                    double b = x[(j * d) + k];
                    block[p] = k < numeric ? (a - b) * (a - b) : (a != b ? 1.0 : 0.0);
                }
            }
        }

        matrix = new double[n * n];
        inverse = new double[n * n];
        work = new double[n * n];
        alpha = new double[n];
        ones = new double[n];
        pairKernel = new double[pairs];
        pairR2 = new double[pairs];
        pairCoefficient = new double[pairs];
        pairSlope = new double[pairs];
        weights = new double[d];
        weightedSums = new double[d];
        logNoiseFloor = Math.Log(noiseFloor);
        LengthscaleMu = 1.4142135623730951 + (0.5 * Math.Log(d));
    }

    /// <summary>Gets the location parameter of the lengthscale prior, sqrt 2 + ln(d) / 2.</summary>
    public double LengthscaleMu { get; }

    /// <summary>Gets the number of objective evaluations made so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Gets the default start: the prior modes.</summary>
    public double[] PriorMode()
    {
        var theta = new double[d + 2];
        double ls = LengthscaleMu - (LengthscaleSigma * LengthscaleSigma);
        for (int k = 0; k < d; k++)
        {
            theta[k] = ls;
        }

        theta[d] = SignalMu - (SignalSigma * SignalSigma);
        theta[d + 1] = Math.Max(NoiseMu - (NoiseSigma * NoiseSigma), logNoiseFloor);
        return theta;
    }

    /// <summary>
    /// Fits from each start and returns the best hyperparameters found. The first start runs to convergence; each later one
    /// runs <see cref="RaceIterations"/> iterations first and goes on only if it is then within <see cref="RaceMargin"/> of
    /// the best value so far (a start that trails by more at that point is heading for a worse or the same optimum, slowly).
    /// </summary>
    public GpHyperparameters Fit(IEnumerable<double[]> starts, int maxIterations)
    {
        var lower = new double[d + 2];
        var upper = new double[d + 2];
        for (int k = 0; k < d; k++)
        {
            lower[k] = Math.Log(1e-2);
            upper[k] = Math.Log(1e2);
        }

        lower[d] = Math.Log(1e-2);
        upper[d] = Math.Log(1e2);
        lower[d + 1] = logNoiseFloor;
        upper[d + 1] = Math.Log(2.0);

        var optimizer = new BoundedLbfgs(d + 2);
        double best = double.PositiveInfinity;
        double[]? bestTheta = null;
        foreach (double[] start in starts)
        {
            double[] theta = (double[])start.Clone();
            double value;
            if (bestTheta is null || maxIterations <= RaceIterations)
            {
                value = optimizer.Minimize(Evaluate, theta, lower, upper, maxIterations, RelativeTolerance, GradientTolerance);
            }
            else
            {
                value = optimizer.Minimize(Evaluate, theta, lower, upper, RaceIterations, RelativeTolerance, GradientTolerance);
                if (value < best + RaceMargin && optimizer.Iterations == RaceIterations)
                {
                    value = optimizer.Minimize(Evaluate, theta, lower, upper, maxIterations - RaceIterations, RelativeTolerance, GradientTolerance);
                }
            }

            if (value < best || bestTheta is null)
            {
                best = value;
                bestTheta = theta;
            }
        }

        return GpHyperparameters.FromVector(bestTheta!);
    }

    /// <summary>
    /// Computes the leave-one-out log predictive density of the targets under <paramref name="hyperparameters"/> (Rasmussen and
    /// Williams, 2006, section 5.4.2): sum_i log N(y_i; mu_-i, s2_-i) with s2_-i = 1 / [K^-1]_ii and y_i - mu_-i = [K^-1 (y - c)]_i / [K^-1]_ii.
    /// </summary>
    public double LooLogDensity(GpHyperparameters hyperparameters)
    {
        var gradient = new double[d + 2];
        if (!double.IsFinite(Evaluate(hyperparameters.ToVector(), gradient)))
        {
            return double.NegativeInfinity;
        }

        // With the trend, its coefficients are re-estimated without point i (Dubrule, 1983): the leave-one-out quantities come
        // from the projection P = K^-1 - K^-1 H A^-1 H' K^-1 (the upper-left block of the bordered kriging matrix's inverse),
        // which the inverse then holds, and P y = alpha. The constant mean is plugged in as known (the tuner's first passes).
        double sum = 0.0;
        for (int i = 0; i < n; i++)
        {
            double precision = inverse[(i * n) + i];
            if (!(precision > 0.0))
            {
                return double.NegativeInfinity;
            }

            double residual = alpha[i] / precision;
            sum += (0.5 * Math.Log(precision)) - HalfLog2Pi - (0.5 * residual * residual * precision);
        }

        return sum;
    }

    /// <summary>Computes the negative log posterior (up to a constant) and its gradient over the log parameters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Evaluate(ReadOnlySpan<double> theta, Span<double> gradient)
    {
        for (int k = 0; k < d; k++)
        {
            weights[k] = Math.Exp(-2.0 * theta[k]);
        }

        double signal = Math.Exp(theta[d]);
        double noise = Math.Exp(theta[d + 1]);

        Array.Clear(pairR2);
        for (int k = 0; k < d; k++)
        {
            DenseMath.Axpy(weights[k], differences.AsSpan(k * pairs, pairs), pairR2);
        }

        MaternKernel.Correlations(pairR2, signal, pairKernel, pairSlope);
        RefillLower(signal + noise);

        double jitter = 0.0;
        while (!DenseMath.TryCholesky(matrix, n))
        {
            jitter = jitter == 0.0 ? 1e-9 * signal : jitter * 10.0;
            if (jitter > 1e-2 * signal)
            {
                return double.PositiveInfinity;
            }

            RefillLower(signal + noise + jitter);
        }

        y.CopyTo(alpha, 0);
        DenseMath.SolveLower(matrix, n, alpha);
        GeneralizedLeastSquares? gls = null;
        if (trend)
        {
            // The mean's coefficients by generalized least squares (see GaussianProcessModel.Create); with the trend the
            // likelihood is the restricted one: + 1/2 log det(H' K^-1 H), n - p degrees of freedom.
            basis.CopyTo(whitenedBasis, 0);
            gls = GeneralizedLeastSquares.Solve(matrix, n, whitenedBasis, size, alpha);
            if (gls is null)
            {
                return double.PositiveInfinity;
            }
        }
        else
        {
            // Constant mean by generalized least squares, profiled out: c = (1' K^-1 y) / (1' K^-1 1). The gradient below is
            // exact at the profiled c, since d nll / d c = 0 there.
            Array.Fill(ones, 1.0);
            DenseMath.SolveLower(matrix, n, ones);
            double mean = DenseMath.Dot(ones, alpha) / DenseMath.Dot(ones, ones);
            DenseMath.Axpy(-mean, ones, alpha);
        }

        double nll = 0.5 * DenseMath.Dot(alpha, alpha);
        for (int i = 0; i < n; i++)
        {
            nll += Math.Log(matrix[(i * n) + i]);
        }

        nll += (trend ? n - size : n) * HalfLog2Pi;
        if (trend)
        {
            nll += 0.5 * gls!.LogDetNormal;
        }

        DenseMath.SolveLowerTransposed(matrix, n, alpha);
        DenseMath.InverseFromCholesky(matrix, n, inverse, work);
        if (gls is not null)
        {
            Project(gls);
        }

        // d nll / d theta = 1/2 sum_ij (K^-1 - alpha alpha^T)_ij dK_ij / d theta.
        double traceDiag = 0.0;
        for (int i = 0; i < n; i++)
        {
            traceDiag += inverse[(i * n) + i] - (alpha[i] * alpha[i]);
        }

        // W = K^-1 - alpha alpha^T on the pairs: the signal's term sums W_ij K_ij, the lengthscales' terms weigh the
        // differences by W_ij dK_ij / dr2.
        double signalSum = 0.0;
        for (int i = 1; i < n; i++)
        {
            int p = i * (i - 1) / 2;
            ReadOnlySpan<double> invRow = inverse.AsSpan(i * n, i);
            ReadOnlySpan<double> kernelRow = pairKernel.AsSpan(p, i);
            ReadOnlySpan<double> slopeRow = pairSlope.AsSpan(p, i);
            ReadOnlySpan<double> alphaHead = alpha.AsSpan(0, i);
            double ai = alpha[i];
            signalSum += DenseMath.Dot(invRow, kernelRow) - (ai * DenseMath.Dot(alphaHead, kernelRow));
            DenseMath.Difference(invRow, ai, alphaHead, slopeRow, pairCoefficient.AsSpan(p, i));
        }

        for (int k = 0; k < d; k++)
        {
            weightedSums[k] = DenseMath.Dot(pairCoefficient, differences.AsSpan(k * pairs, pairs));
        }

        for (int k = 0; k < d; k++)
        {
            // dK_ij/dtheta_k = slope_ij * (-2 w_k diff_ijk); both triangles count.
            gradient[k] = -2.0 * weights[k] * weightedSums[k];
        }

        gradient[d] = 0.5 * ((traceDiag * signal) + (2.0 * signalSum));
        gradient[d + 1] = 0.5 * traceDiag * noise;

        // Priors, as densities on the natural scale: -log p(e^t) = t + (t - mu)^2 / (2 sigma^2) + const.
        double prior = 0.0;
        double ls2 = LengthscaleSigma * LengthscaleSigma;
        for (int k = 0; k < d; k++)
        {
            double z = theta[k] - LengthscaleMu;
            prior += theta[k] + (z * z / (2.0 * ls2));
            gradient[k] += 1.0 + (z / ls2);
        }

        double zs = theta[d] - SignalMu;
        prior += theta[d] + (zs * zs / (2.0 * SignalSigma * SignalSigma));
        gradient[d] += 1.0 + (zs / (SignalSigma * SignalSigma));
        double zn = theta[d + 1] - NoiseMu;
        prior += theta[d + 1] + (zn * zn / (2.0 * NoiseSigma * NoiseSigma));
        gradient[d + 1] += 1.0 + (zn / (NoiseSigma * NoiseSigma));

        Evaluations++;
        return nll + prior;
    }

    /// <summary>
    /// Writes E = K^-1 H R^-T (rows of <see cref="projection"/>, A = R R'), so that K^-1 H A^-1 H' K^-1 = E E', and subtracts
    /// E E' from the inverse's lower triangle, which turns it into the projection P whose trace terms are the restricted
    /// likelihood's gradient (1/2 tr((P - alpha alpha') dK)) and whose diagonal gives the leave-one-out density.
    /// </summary>
    private void Project(GeneralizedLeastSquares gls)
    {
        // Columns of G = L^-T Q, then each row of G through R^-1.
        for (int c = 0; c < size; c++)
        {
            DenseMath.SolveLowerTransposed(matrix, n, whitenedBasis.AsSpan(c * n, n));
        }

        for (int i = 0; i < n; i++)
        {
            Span<double> e = projection.AsSpan(i * size, size);
            for (int c = 0; c < size; c++)
            {
                e[c] = whitenedBasis[(c * n) + i];
            }

            DenseMath.SolveLower(gls.Normal, size, e);
        }

        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> ei = projection.AsSpan(i * size, size);
            Span<double> row = inverse.AsSpan(i * n, i + 1);
            for (int j = 0; j <= i; j++)
            {
                row[j] -= DenseMath.Dot(ei, projection.AsSpan(j * size, size));
            }
        }
    }

    private void RefillLower(double diagonal)
    {
        for (int i = 0; i < n; i++)
        {
            Span<double> row = matrix.AsSpan(i * n, n);
            pairKernel.AsSpan(i * (i - 1) / 2, i).CopyTo(row);
            row[i] = diagonal;
        }
    }
}
