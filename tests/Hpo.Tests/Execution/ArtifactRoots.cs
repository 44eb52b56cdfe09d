using System.Collections.Concurrent;

namespace Hpo.Tests.Execution;

/// <summary>Temporary artifacts roots of one test class, deleted together after each test (the tests of one class run one at a time).</summary>
internal sealed class ArtifactRoots
{
    private readonly ConcurrentQueue<string> roots = new();

    public string New()
    {
        string root = Path.Combine(Path.GetTempPath(), "hpo-exec-tests", Guid.NewGuid().ToString("N"));
        roots.Enqueue(root);
        return root;
    }

    public void DeleteAll()
    {
        while (roots.TryDequeue(out string? root))
        {
            try
            {
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }
            }
            catch (IOException)
            {
                // A trial program stopped in the background may still be writing; the system's temp cleaner gets it.
            }
        }
    }
}
