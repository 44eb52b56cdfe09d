using System.Runtime.CompilerServices;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Limited-memory BFGS for smooth functions on a box (a projected variant of L-BFGS-B): variables held at a bound by their
/// gradient are frozen, the quasi-Newton direction is computed on the free ones, and a backtracking Armijo search runs
/// along the projected path. Buffers are allocated once per instance; an instance is not thread-safe.
/// </summary>
internal sealed class BoundedLbfgs
{
    private const double Armijo = 1e-4;
    private const int MaxBacktracks = 30;

    private readonly int memory;
    private readonly double[][] sHistory;
    private readonly double[][] yHistory;
    private readonly double[] rho;
    private readonly double[] alpha;
    private readonly double[] gradient;
    private readonly double[] newGradient;
    private readonly double[] direction;
    private readonly double[] trial;
    private readonly bool[] free;

    /// <summary>Initializes a new instance of the <see cref="BoundedLbfgs"/> class.</summary>
    /// <param name="dimension">The number of variables.</param>
    /// <param name="memory">The number of correction pairs kept.</param>
    public BoundedLbfgs(int dimension, int memory = 8)
    {
        Dimension = dimension;
        this.memory = memory;
        sHistory = new double[memory][];
        yHistory = new double[memory][];
        for (int i = 0; i < memory; i++)
        {
            sHistory[i] = new double[dimension];
            yHistory[i] = new double[dimension];
        }

        rho = new double[memory];
        alpha = new double[memory];
        gradient = new double[dimension];
        newGradient = new double[dimension];
        direction = new double[dimension];
        trial = new double[dimension];
        free = new bool[dimension];
    }

    /// <summary>A function to minimize: returns f(x) and writes its gradient.</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>Gets the number of variables.</summary>
    public int Dimension { get; }

    /// <summary>Gets the number of function evaluations of the last call to <see cref="Minimize"/>.</summary>
    public int Evaluations { get; private set; }

    /// <summary>
    /// Gets the number of iterations of the last call to <see cref="Minimize"/> that took a step; it equals the limit when
    /// the call stopped at the limit rather than by convergence.
    /// </summary>
    public int Iterations { get; private set; }

    /// <summary>
    /// Minimizes <paramref name="f"/> from <paramref name="x"/> (overwritten with the best point found) within the box.
    /// Stops after <paramref name="maxIterations"/> iterations, when the projected gradient's largest component is at most
    /// <paramref name="gradientTolerance"/>, or when an iteration lowers f by at most <paramref name="relativeTolerance"/>
    /// times max(1, |f|).
    /// </summary>
    /// <returns>The value at the returned point (positive infinity when even the start is not finite).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Minimize(Objective f, Span<double> x, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, int maxIterations, double relativeTolerance, double gradientTolerance)
    {
        int n = Dimension;
        for (int i = 0; i < n; i++)
        {
            x[i] = Math.Clamp(x[i], lower[i], upper[i]);
        }

        Evaluations = 1;
        Iterations = 0;
        double fx = f(x, gradient);
        if (!double.IsFinite(fx))
        {
            return double.PositiveInfinity;
        }

        int stored = 0;
        int head = 0; // index of the next slot to write
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double projected = 0.0;
            for (int i = 0; i < n; i++)
            {
                double gi = gradient[i];
                if (!double.IsFinite(gi))
                {
                    return fx;
                }

                projected = Math.Max(projected, Math.Abs(Math.Clamp(x[i] - gi, lower[i], upper[i]) - x[i]));
                free[i] = !((x[i] <= lower[i] && gi > 0) || (x[i] >= upper[i] && gi < 0));
            }

            if (projected <= gradientTolerance)
            {
                break;
            }

            ComputeDirection(stored, head);
            double slope = 0.0;
            for (int i = 0; i < n; i++)
            {
                slope += direction[i] * gradient[i];
            }

            if (!(slope < 0.0))
            {
                stored = 0;
                slope = 0.0;
                for (int i = 0; i < n; i++)
                {
                    direction[i] = free[i] ? -gradient[i] : 0.0;
                    slope -= direction[i] * direction[i];
                }

                if (!(slope < 0.0))
                {
                    break;
                }
            }

            double step = 1.0;
            if (stored == 0)
            {
                double dmax = 0.0;
                for (int i = 0; i < n; i++)
                {
                    dmax = Math.Max(dmax, Math.Abs(direction[i]));
                }

                step = Math.Min(1.0, 1.0 / dmax);
            }

            double fNew = double.NaN;
            bool accepted = false;
            for (int b = 0; b < MaxBacktracks; b++)
            {
                double decrease = 0.0;
                for (int i = 0; i < n; i++)
                {
                    trial[i] = Math.Clamp(x[i] + (step * direction[i]), lower[i], upper[i]);
                    decrease += gradient[i] * (trial[i] - x[i]);
                }

                Evaluations++;
                fNew = f(trial, newGradient);
                if (double.IsFinite(fNew) && fNew <= fx + (Armijo * decrease))
                {
                    accepted = true;
                    break;
                }

                step *= 0.5;
            }

            if (!accepted)
            {
                break;
            }

            // Correction pair.
            double[] s = sHistory[head];
            double[] y = yHistory[head];
            double sy = 0.0;
            double yy = 0.0;
            for (int i = 0; i < n; i++)
            {
                s[i] = trial[i] - x[i];
                y[i] = newGradient[i] - gradient[i];
                sy += s[i] * y[i];
                yy += y[i] * y[i];
            }

            if (sy > 1e-12 * yy && sy > 0.0)
            {
                rho[head] = 1.0 / sy;
                head = (head + 1) % memory;
                stored = Math.Min(stored + 1, memory);
            }

            Iterations++;
            double previous = fx;
            trial.AsSpan(0, n).CopyTo(x);
            newGradient.AsSpan(0, n).CopyTo(gradient);
            fx = fNew;
            if (previous - fx <= relativeTolerance * Math.Max(1.0, Math.Abs(fx)))
            {
                break;
            }
        }

        return fx;
    }

    /// <summary>Two-loop recursion on the free variables: direction = -H gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeDirection(int stored, int head)
    {
        int n = Dimension;
        Span<double> q = direction.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            q[i] = free[i] ? gradient[i] : 0.0;
        }

        for (int k = 0; k < stored; k++)
        {
            int idx = (head - 1 - k + memory) % memory;
            double a = rho[idx] * MaskedDot(sHistory[idx], q);
            alpha[idx] = a;
            double[] y = yHistory[idx];
            for (int i = 0; i < n; i++)
            {
                if (free[i])
                {
                    q[i] -= a * y[i];
                }
            }
        }

        if (stored > 0)
        {
            int last = (head - 1 + memory) % memory;
            double yy = MaskedDot(yHistory[last], yHistory[last]);
            double sy = MaskedDot(sHistory[last], yHistory[last]);
            double gamma = yy > 0 && sy > 0 ? sy / yy : 1.0;
            for (int i = 0; i < n; i++)
            {
                q[i] *= gamma;
            }
        }

        for (int k = stored - 1; k >= 0; k--)
        {
            int idx = (head - 1 - k + memory) % memory;
            double b = rho[idx] * MaskedDot(yHistory[idx], q);
            double[] s = sHistory[idx];
            for (int i = 0; i < n; i++)
            {
                if (free[i])
                {
                    q[i] += (alpha[idx] - b) * s[i];
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            q[i] = free[i] ? -q[i] : 0.0;
        }
    }

    private double MaskedDot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0.0;
        for (int i = 0; i < Dimension; i++)
        {
            if (free[i])
            {
                sum += a[i] * b[i];
            }
        }

        return sum;
    }
}
