using Hpo.Models;
using Hpo.Serving.Engines;

namespace Hpo.Serving.Versions;

/// <summary>
/// A loaded version and its reference count: the catalog holds one reference while the version is served, and each request holds
/// one while it predicts. Retiring drops the catalog's reference; the engine is disposed when the last request lets go, so a
/// request in flight always finishes on the version it started with.
/// </summary>
internal sealed class ServedVersion
{
    private int references = 1;

    public ServedVersion(string name, long version, string folder, ModelEngine engine)
    {
        Name = name;
        Version = version;
        Folder = folder;
        Engine = engine;
    }

    public string Name { get; }

    public long Version { get; }

    public string Folder { get; }

    public ModelEngine Engine { get; }

    public ModelManifest Manifest => Engine.Manifest;

    public bool IsRetired { get; private set; }

    public bool IsDisposed => Volatile.Read(ref references) <= 0;

    /// <summary>Takes a reference for a request; fails once the version has been released for good.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            int current = Volatile.Read(ref references);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref references) == 0)
        {
            Engine.Dispose();
        }
    }

    /// <summary>Drops the catalog's reference (once).</summary>
    public void Retire()
    {
        if (!IsRetired)
        {
            IsRetired = true;
            Release();
        }
    }
}
