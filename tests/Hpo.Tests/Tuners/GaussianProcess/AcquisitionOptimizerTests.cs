using Hpo.SearchSpaces;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class AcquisitionOptimizerTests
{
    // A 1-D model with its data packed around 0.2 (the incumbent) and none beyond 0.45: there the posterior reverts to the
    // prior, whose mean and uncertainty make LogEI far larger than anywhere near the data.
    private static (GaussianProcessSpace Space, GaussianProcessModel Model, double Best, double[] Incumbent) TwoRegions()
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddFloat("x", 0, 1).Build());
        GaussianProcessSpace space = GaussianProcessSpace.For(encoding);
        double[] x = [0.0, 0.05, 0.1, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3, 0.35, 0.4, 0.45];
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = (x[i] - 0.2) * (x[i] - 0.2);
        }

        double[] z = OutputTransform.Apply(y, warp: false);
        var h = new GpHyperparameters([Math.Log(0.1)], 0.0, Math.Log(1e-8));
        var model = GaussianProcessModel.Create(x, x.Length, 1, 1, z, h);
        return (space, model, z.Min(), [0.2]);
    }

    [Fact]
    public void Optimize_Global_ReachesTheUnexploredRegion()
    {
        (GaussianProcessSpace space, GaussianProcessModel model, double best, double[] incumbent) = TwoRegions();
        var optimizer = new AcquisitionOptimizer(space, [model], best);

        List<(double[] Point, double Value)> results = optimizer.Optimize([incumbent], 256, 4, new Random(1));

        Assert.True(results[0].Point[0] > 0.5, $"best point {results[0].Point[0]}");
    }

    [Fact]
    public void Value_WeightedMixture_IsTheLogOfTheWeightedMeanOfTheModelsEIs()
    {
        (GaussianProcessSpace space, GaussianProcessModel model, double best, _) = TwoRegions();
        var single = new AcquisitionOptimizer(space, [model], best);
        var sameTwice = new AcquisitionOptimizer(space, [model, model], [best, best], [3.0, 1.0]);
        var shiftedBest = new AcquisitionOptimizer(space, [model], best + 0.5);
        var mixture = new AcquisitionOptimizer(space, [model, model], [best, best + 0.5], [3.0, 1.0]);

        foreach (double x in new[] { 0.05, 0.3, 0.7 })
        {
            double a = single.Value([x]);
            double b = shiftedBest.Value([x]);

            // The same model twice is that model, whatever the weights; two incumbents mix as 3/4 and 1/4 of their EIs.
            Assert.Equal(a, sameTwice.Value([x]), 1e-9);
            double m = Math.Max(a, b);
            double expected = m + Math.Log((0.75 * Math.Exp(a - m)) + (0.25 * Math.Exp(b - m)));
            Assert.Equal(expected, mixture.Value([x]), 1e-9 * Math.Max(1.0, Math.Abs(expected)));
            Assert.True(double.IsFinite(expected));
        }
    }
}
