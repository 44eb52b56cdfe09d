using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

public class HyperparameterCacheTests
{
    [Fact]
    public void TryGet_SameDataOnly_Hits()
    {
        var cache = new HyperparameterCache();
        var h = new GpHyperparameters([0.1], 0.2, -3);
        double[] x = [0.1, 0.2];
        double[] y = [1, 2];
        cache.Add(x, y, 1, 1e-10, h);

        Assert.True(cache.TryGet([0.1, 0.2], [1, 2], 1, 1e-10, out GpHyperparameters? hit));
        Assert.Same(h, hit);
        Assert.False(cache.TryGet([0.1, 0.2000000001], [1, 2], 1, 1e-10, out _));
        Assert.False(cache.TryGet([0.1, 0.2], [1, 2], 1, 1e-12, out _));
        Assert.False(cache.TryGet([0.1, 0.2], [1, 2], 0, 1e-10, out _));
    }

    [Fact]
    public void Add_BeyondCapacity_EvictsTheLeastRecentlyUsed()
    {
        var cache = new HyperparameterCache();
        for (int i = 0; i <= HyperparameterCache.Capacity; i++)
        {
            cache.Add([i], [i], 1, 1e-10, new GpHyperparameters([i], 0, 0));
            if (i == 1)
            {
                Assert.True(cache.TryGet([0], [0], 1, 1e-10, out _)); // touch entry 0
            }
        }

        Assert.True(cache.TryGet([0], [0], 1, 1e-10, out _));
        Assert.False(cache.TryGet([1], [1], 1, 1e-10, out _));
        Assert.True(cache.TryGet([HyperparameterCache.Capacity], [HyperparameterCache.Capacity], 1, 1e-10, out _));
    }

    [Fact]
    public void Add_StoresCopies_SoLaterChangesToTheArraysDoNotMatter()
    {
        var cache = new HyperparameterCache();
        double[] x = [0.5];
        cache.Add(x, [1.0], 1, 1e-10, new GpHyperparameters([0], 0, 0));

        x[0] = 0.6;

        Assert.True(cache.TryGet([0.5], [1.0], 1, 1e-10, out _));
    }
}
