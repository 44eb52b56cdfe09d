using BenchmarkDotNet.Attributes;
using Hpo.Tuners.GaussianProcess;
using MathNet.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace Hpo.Benchmarks.Micro;

/// <summary>
/// The GP tuner's hand-written dense kernels beside MathNet.Numerics' (issue 17's review of where MathNet serves): the
/// Cholesky factorization of a Matern-like kernel matrix and the two triangular solves, at the sizes the tuner uses (a fit of
/// up to 200 observations, a posterior of up to 600), and the scalar special functions the output warp and LogEI call.
/// MathNet runs through <see cref="LinearAlgebraControl.Provider"/> (its in-place array API, no matrix allocation); on this
/// machine that is the managed provider (no MKL or OpenBLAS native provider is installed with the package).
/// </summary>
public class GaussianProcessKernelBenchmarks
{
    private double[] spd = null!;
    private double[] work = null!;
    private double[] rhs = null!;
    private double[] rhsWork = null!;
    private double[] scalars = null!;

    /// <summary>Gets or sets the matrix order.</summary>
    [Params(50, 200, 600)]
    public int N { get; set; } = 200;

    /// <summary>Builds a symmetric positive-definite kernel matrix (squared-exponential on random 6-D points, jitter 1e-6).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        const int D = 6;
        var x = new double[N * D];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.NextDouble();
        }

        spd = new double[N * N];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < N; j++)
            {
                double r2 = 0.0;
                for (int k = 0; k < D; k++)
                {
                    double t = x[(i * D) + k] - x[(j * D) + k];
                    r2 += t * t;
                }

                spd[(i * N) + j] = Math.Exp(-r2 / 0.5) + (i == j ? 1e-6 : 0.0);
            }
        }

        work = new double[N * N];
        rhs = new double[N];
        rhsWork = new double[N];
        for (int i = 0; i < N; i++)
        {
            rhs[i] = random.NextDouble() - 0.5;
        }

        scalars = new double[1024];
        for (int i = 0; i < scalars.Length; i++)
        {
            scalars[i] = (random.NextDouble() - 0.5) * Math.Pow(10.0, -6.0 + (6.0 * random.NextDouble()));
        }
    }

    /// <summary>DenseMath.TryCholesky, in place (the tuner's kernel).</summary>
    /// <returns>The last diagonal entry.</returns>
    [Benchmark(Baseline = true)]
    public double CholeskyHand()
    {
        spd.CopyTo(work, 0);
        _ = DenseMath.TryCholesky(work, N);
        return work[^1];
    }

    /// <summary>MathNet's provider CholeskyFactor, in place on the same array (symmetric, so the layout does not matter).</summary>
    /// <returns>The last diagonal entry.</returns>
    [Benchmark]
    public double CholeskyMathNet()
    {
        spd.CopyTo(work, 0);
        LinearAlgebraControl.Provider.CholeskyFactor(work, N);
        return work[^1];
    }

    /// <summary>Factor, then solve K x = b by the two triangular solves (DenseMath).</summary>
    /// <returns>The first entry of the solution.</returns>
    [Benchmark]
    public double CholeskySolveHand()
    {
        spd.CopyTo(work, 0);
        _ = DenseMath.TryCholesky(work, N);
        rhs.CopyTo(rhsWork, 0);
        DenseMath.SolveLower(work, N, rhsWork);
        DenseMath.SolveLowerTransposed(work, N, rhsWork);
        return rhsWork[0];
    }

    /// <summary>Factor, then solve K x = b (MathNet's provider, in place).</summary>
    /// <returns>The first entry of the solution.</returns>
    [Benchmark]
    public double CholeskySolveMathNet()
    {
        spd.CopyTo(work, 0);
        LinearAlgebraControl.Provider.CholeskyFactor(work, N);
        rhs.CopyTo(rhsWork, 0);
        LinearAlgebraControl.Provider.CholeskySolveFactored(work, N, rhsWork, 1);
        return rhsWork[0];
    }

    /// <summary>1,024 calls of MathNet's Log1p and Expm1 (what the output warp and LogEI's tail call).</summary>
    /// <returns>A sum, so the calls are not removed.</returns>
    [Benchmark]
    public double Log1pExpm1MathNet()
    {
        double sum = 0.0;
        foreach (double v in scalars)
        {
            sum += SpecialFunctions.Log1p(v) + SpecialFunctions.Expm1(v);
        }

        return sum;
    }

    /// <summary>1,024 calls of the tuner's own Log1P and ExpM1 (LogExpectedImprovement).</summary>
    /// <returns>A sum, so the calls are not removed.</returns>
    [Benchmark]
    public double Log1pExpm1Hand()
    {
        double sum = 0.0;
        foreach (double v in scalars)
        {
            sum += LogExpectedImprovement.Log1P(v) + LogExpectedImprovement.ExpM1(v);
        }

        return sum;
    }
}
