namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Remembers the last few hyperparameter fits by their exact input data, so that proposals made between two refits do not
/// fit again. A hit returns exactly what a fit would return (the fit is deterministic), so the cache never changes a
/// proposal. Thread-safe; holds at most <see cref="Capacity"/> entries.
/// </summary>
internal sealed class HyperparameterCache
{
    /// <summary>The number of fits kept.</summary>
    public const int Capacity = 24;

    private readonly Lock gate = new();
    private readonly LinkedList<Entry> entries = new();

    /// <summary>Looks up the fit of exactly this data (and this prior mean: constant, or the trend with <paramref name="trend"/>).</summary>
    public bool TryGet(double[] x, double[] y, int numeric, double noiseFloor, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GpHyperparameters? hyperparameters, bool trend = false)
    {
        int hash = Hash(x, y);
        lock (gate)
        {
            for (LinkedListNode<Entry>? node = entries.First; node is not null; node = node.Next)
            {
                Entry e = node.Value;
                if (e.Hash == hash && e.Hyperparameters.Trend == trend && e.Numeric == numeric && e.NoiseFloor.Equals(noiseFloor) && e.X.AsSpan().SequenceEqual(x) && e.Y.AsSpan().SequenceEqual(y))
                {
                    entries.Remove(node);
                    entries.AddFirst(node);
                    hyperparameters = e.Hyperparameters;
                    return true;
                }
            }
        }

        hyperparameters = null;
        return false;
    }

    /// <summary>Stores a fit, evicting the least recently used one when full.</summary>
    public void Add(double[] x, double[] y, int numeric, double noiseFloor, GpHyperparameters hyperparameters)
    {
        var entry = new Entry(Hash(x, y), (double[])x.Clone(), (double[])y.Clone(), numeric, noiseFloor, hyperparameters);
        lock (gate)
        {
            entries.AddFirst(entry);
            while (entries.Count > Capacity)
            {
                entries.RemoveLast();
            }
        }
    }

    private static int Hash(double[] x, double[] y)
    {
        var hash = default(HashCode);
        hash.Add(x.Length);
        hash.Add(y.Length);
        foreach (double v in y)
        {
            hash.Add(v);
        }

        for (int i = 0; i < x.Length; i += Math.Max(1, x.Length / 64))
        {
            hash.Add(x[i]);
        }

        return hash.ToHashCode();
    }

    private sealed record Entry(int Hash, double[] X, double[] Y, int Numeric, double NoiseFloor, GpHyperparameters Hyperparameters);
}
