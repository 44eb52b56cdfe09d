namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// The GP's parametric prior mean: the constant (one coefficient) or the per-coordinate quadratic trend
/// m(x) = b0 + sum_i b_i (x_i - 1/2) + sum_i c_i (x_i - 1/2)^2 over the numeric features (2m + 1 coefficients for m numeric
/// features; the categorical features keep the constant). Centred on the cube's middle so that the linear and the square
/// columns are nearly orthogonal on a space-filling design.
/// </summary>
internal static class TrendMean
{
    /// <summary>Gets the number of coefficients of the mean: 1 for the constant, 2 <paramref name="numeric"/> + 1 for the trend.</summary>
    public static int Size(bool trend, int numeric) => trend ? (2 * numeric) + 1 : 1;

    /// <summary>
    /// Gets a value indicating whether <paramref name="count"/> observations support the quadratic trend: at least twice as
    /// many as its coefficients, so that after the trend is profiled out (restricted likelihood, n - p degrees of freedom) at
    /// least as many degrees of freedom are left for the kernel as the trend used, and each leave-one-out refit of the
    /// coefficients still has more points than coefficients.
    /// </summary>
    public static bool Supported(int count, int numeric) => numeric > 0 && count >= 2 * Size(true, numeric);

    /// <summary>Writes the basis row of a feature vector: 1, then the centred numeric features, then their squares.</summary>
    public static void Row(ReadOnlySpan<double> feature, int numeric, int size, Span<double> row)
    {
        row[0] = 1.0;
        if (size == 1)
        {
            return;
        }

        for (int j = 0; j < numeric; j++)
        {
            double c = feature[j] - 0.5;
            row[1 + j] = c;
            row[1 + numeric + j] = c * c;
        }
    }

    /// <summary>Gets the derivative of sum_c coefficients_c h_c(x) with respect to numeric feature <paramref name="j"/>.</summary>
    public static double Slope(ReadOnlySpan<double> coefficients, ReadOnlySpan<double> feature, int numeric, int j) =>
        coefficients.Length == 1 ? 0.0 : coefficients[1 + j] + (2.0 * coefficients[1 + numeric + j] * (feature[j] - 0.5));

    /// <summary>
    /// Builds the basis of <paramref name="count"/> feature rows column by column (column c at [c n, c n + n)), the layout the
    /// triangular solves of <see cref="GeneralizedLeastSquares"/> work on.
    /// </summary>
    public static double[] Columns(double[] x, int count, int dimension, int numeric, int size)
    {
        var columns = new double[size * count];
        Span<double> row = stackalloc double[size];
        for (int i = 0; i < count; i++)
        {
            Row(x.AsSpan(i * dimension, dimension), numeric, size, row);
            for (int c = 0; c < size; c++)
            {
                columns[(c * count) + i] = row[c];
            }
        }

        return columns;
    }

    /// <summary>
    /// Gets the minimiser of the quadratic trend within the unit cube on each numeric feature (the trend is separable): the
    /// vertex of a convex coordinate's parabola, clamped to [0, 1]; the better end for a concave or flat one.
    /// </summary>
    public static double[] Minimiser(ReadOnlySpan<double> coefficients, int numeric)
    {
        var result = new double[numeric];
        for (int j = 0; j < numeric; j++)
        {
            double b = coefficients[1 + j];
            double c = coefficients[1 + numeric + j];
            if (c > 0.0)
            {
                result[j] = Math.Clamp(0.5 - (b / (2.0 * c)), 0.0, 1.0);
            }
            else
            {
                // Concave or flat: the lower of the two ends (b (x - 1/2) decides, c (x - 1/2)^2 is equal at both).
                result[j] = b > 0.0 ? 0.0 : 1.0;
            }
        }

        return result;
    }
}

/// <summary>
/// Generalized least squares for the GP's mean coefficients given the Cholesky factor L of K + noise I (universal kriging):
/// with Q = L^-1 H and A = Q'Q = H'K^-1 H, beta = A^-1 Q' L^-1 y. Keeps Q (column-major) and the Cholesky factor of A for
/// the trend's share of the posterior variance, r' A^-1 r with r = h(x) - Q' L^-1 k(x).
/// </summary>
internal sealed class GeneralizedLeastSquares
{
    private GeneralizedLeastSquares(int count, int size, double[] whitened, double[] normal, double[] coefficients)
    {
        Count = count;
        Size = size;
        Whitened = whitened;
        Normal = normal;
        Coefficients = coefficients;
    }

    /// <summary>Gets the number of observations.</summary>
    public int Count { get; }

    /// <summary>Gets the number of coefficients.</summary>
    public int Size { get; }

    /// <summary>Gets Q = L^-1 H, column-major (column c at [c n, c n + n)).</summary>
    public double[] Whitened { get; }

    /// <summary>Gets the Cholesky factor of A = H' K^-1 H (p x p, lower, row-major); for one coefficient, A itself.</summary>
    public double[] Normal { get; }

    /// <summary>Gets the coefficients beta.</summary>
    public double[] Coefficients { get; }

    /// <summary>Gets log det A (of a trend's factor; see <see cref="Solve"/>).</summary>
    public double LogDetNormal
    {
        get
        {
            double sum = 0.0;
            for (int c = 0; c < Size; c++)
            {
                sum += 2.0 * Math.Log(Normal[(c * Size) + c]);
            }

            return sum;
        }
    }

    /// <summary>
    /// Solves for the coefficients and turns <paramref name="whitenedTargets"/> (L^-1 y on entry) into the whitened residual
    /// L^-1 (y - H beta). With one coefficient the arithmetic is the constant mean's: beta = (q'v) / (q'q).
    /// </summary>
    /// <param name="factor">The Cholesky factor L (row-major, lower).</param>
    /// <param name="n">The number of observations.</param>
    /// <param name="basis">H, column-major, as <see cref="TrendMean.Columns"/> writes it; overwritten by Q.</param>
    /// <param name="size">The number of coefficients p.</param>
    /// <param name="whitenedTargets">L^-1 y on entry, L^-1 (y - H beta) on return.</param>
    /// <returns>The solution, or <see langword="null"/> when A is not positive definite (the basis is degenerate on these points).</returns>
    public static GeneralizedLeastSquares? Solve(ReadOnlySpan<double> factor, int n, double[] basis, int size, Span<double> whitenedTargets)
    {
        for (int c = 0; c < size; c++)
        {
            DenseMath.SolveLower(factor, n, basis.AsSpan(c * n, n));
        }

        var coefficients = new double[size];
        double[] normal;
        if (size == 1)
        {
            normal = [DenseMath.Dot(basis.AsSpan(0, n), basis.AsSpan(0, n))];
            coefficients[0] = DenseMath.Dot(basis.AsSpan(0, n), whitenedTargets) / normal[0];
        }
        else
        {
            normal = new double[size * size];
            for (int a = 0; a < size; a++)
            {
                coefficients[a] = DenseMath.Dot(basis.AsSpan(a * n, n), whitenedTargets);
                for (int b = 0; b <= a; b++)
                {
                    normal[(a * size) + b] = DenseMath.Dot(basis.AsSpan(a * n, n), basis.AsSpan(b * n, n));
                }
            }

            // A tiny ridge relative to the diagonal keeps a nearly collinear basis factorizable without moving beta visibly.
            double trace = 0.0;
            for (int a = 0; a < size; a++)
            {
                trace += normal[(a * size) + a];
            }

            for (int a = 0; a < size; a++)
            {
                normal[(a * size) + a] += 1e-10 * trace / size;
            }

            if (!DenseMath.TryCholesky(normal, size))
            {
                return null;
            }

            DenseMath.SolveLower(normal, size, coefficients);
            DenseMath.SolveLowerTransposed(normal, size, coefficients);
        }

        for (int c = 0; c < size; c++)
        {
            DenseMath.Axpy(-coefficients[c], basis.AsSpan(c * n, n), whitenedTargets);
        }

        return new GeneralizedLeastSquares(n, size, basis, normal, coefficients);
    }

    /// <summary>
    /// Gets r' A^-1 r for r = h - Q' v (v = L^-1 k), the variance the estimated coefficients add at a point; writes
    /// u = A^-1 r into <paramref name="u"/> when it is not empty (for the gradient).
    /// </summary>
    public double EstimationVariance(ReadOnlySpan<double> h, ReadOnlySpan<double> v, Span<double> r, Span<double> u)
    {
        int n = Count;
        for (int c = 0; c < Size; c++)
        {
            r[c] = h[c] - DenseMath.Dot(Whitened.AsSpan(c * n, n), v[..n]);
        }

        return Quadratic(r, u);
    }

    /// <summary>Gets r' A^-1 r (a trend's; <paramref name="r"/> is overwritten); writes A^-1 r into <paramref name="u"/> when it is not empty.</summary>
    public double Quadratic(Span<double> r, Span<double> u)
    {
        DenseMath.SolveLower(Normal, Size, r);
        double q = DenseMath.Dot(r, r);
        if (!u.IsEmpty)
        {
            r.CopyTo(u);
            DenseMath.SolveLowerTransposed(Normal, Size, u);
        }

        return q;
    }
}
