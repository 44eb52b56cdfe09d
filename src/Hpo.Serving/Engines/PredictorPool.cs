using System.Collections.Concurrent;

namespace Hpo.Serving.Engines;

/// <summary>A bounded pool of reusable, non-thread-safe predictors: a rent takes an idle one or creates one; a return keeps it unless the pool is full.</summary>
/// <typeparam name="T">The predictor.</typeparam>
internal sealed class PredictorPool<T> : IDisposable
    where T : class
{
    private readonly ConcurrentBag<T> idle = [];
    private readonly Func<T> create;
    private readonly int capacity;
    private int idleCount;
    private bool disposed;

    public PredictorPool(Func<T> create, int capacity)
    {
        this.create = create;
        this.capacity = Math.Max(1, capacity);
    }

    public T Rent()
    {
        if (idle.TryTake(out T? item))
        {
            Interlocked.Decrement(ref idleCount);
            return item;
        }

        return create();
    }

    public void Return(T item)
    {
        if (!Volatile.Read(ref disposed) && Interlocked.Increment(ref idleCount) <= capacity)
        {
            idle.Add(item);
            return;
        }

        Interlocked.Decrement(ref idleCount);
        (item as IDisposable)?.Dispose();
    }

    public void Dispose()
    {
        Volatile.Write(ref disposed, true);
        while (idle.TryTake(out T? item))
        {
            (item as IDisposable)?.Dispose();
        }
    }
}
