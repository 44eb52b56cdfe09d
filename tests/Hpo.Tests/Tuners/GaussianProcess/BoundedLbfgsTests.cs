using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class BoundedLbfgsTests
{
    [Fact]
    public void Minimize_RosenbrockInsideTheBox_FindsTheMinimum()
    {
        var optimizer = new BoundedLbfgs(2);
        double[] x = [-1.2, 1.0];

        double value = optimizer.Minimize(Rosenbrock, x, [-5.0, -5.0], [5.0, 5.0], 500, 1e-14, 1e-10);

        Assert.True(value < 1e-8, $"f = {value}");
        Assert.Equal(1.0, x[0], 1e-3);
        Assert.Equal(1.0, x[1], 1e-3);
    }

    [Fact]
    public void Iterations_StoppedAtTheLimitOrConverged_CountsTheStepsTaken()
    {
        var optimizer = new BoundedLbfgs(2);
        double[] x = [-1.2, 1.0];
        optimizer.Minimize(Rosenbrock, x, [-5.0, -5.0], [5.0, 5.0], 4, 1e-14, 1e-10);
        Assert.Equal(4, optimizer.Iterations);

        optimizer.Minimize(Rosenbrock, x, [-5.0, -5.0], [5.0, 5.0], 500, 1e-14, 1e-10);
        Assert.InRange(optimizer.Iterations, 1, 499);
    }

    [Fact]
    public void Minimize_MinimumOutsideTheBox_StopsOnTheBound()
    {
        var optimizer = new BoundedLbfgs(2);
        double[] x = [0.5, 0.5];

        // Minimum at (2, -1); the box is [0, 1]^2, so the answer is (1, 0).
        optimizer.Minimize(Quadratic, x, [0.0, 0.0], [1.0, 1.0], 100, 1e-14, 1e-10);

        Assert.Equal(1.0, x[0], 1e-9);
        Assert.Equal(0.0, x[1], 1e-9);
    }

    [Fact]
    public void Minimize_StartOutsideTheBox_IsClampedFirst()
    {
        var optimizer = new BoundedLbfgs(1);
        double[] x = [7.0];

        optimizer.Minimize((z, g) => { g[0] = 2 * (z[0] - 0.3); return (z[0] - 0.3) * (z[0] - 0.3); }, x, [0.0], [1.0], 50, 1e-14, 1e-12);

        Assert.Equal(0.3, x[0], 1e-6);
    }

    [Fact]
    public void Minimize_NonFiniteStart_ReturnsInfinityAndLeavesTheClampedStart()
    {
        var optimizer = new BoundedLbfgs(1);
        double[] x = [0.5];

        double value = optimizer.Minimize((_, g) => { g[0] = 0; return double.NaN; }, x, [0.0], [1.0], 50, 1e-9, 1e-9);

        Assert.Equal(double.PositiveInfinity, value);
        Assert.Equal(0.5, x[0]);
    }

    private static double Rosenbrock(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = 1 - x[0];
        double b = x[1] - (x[0] * x[0]);
        g[0] = (-2 * a) - (400 * x[0] * b);
        g[1] = 200 * b;
        return (a * a) + (100 * b * b);
    }

    private static double Quadratic(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 2 * (x[0] - 2);
        g[1] = 2 * (x[1] + 1);
        return ((x[0] - 2) * (x[0] - 2)) + ((x[1] + 1) * (x[1] + 1));
    }
}
