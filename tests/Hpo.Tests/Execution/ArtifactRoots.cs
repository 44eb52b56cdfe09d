using System.Collections.Concurrent;

namespace Hpo.Tests.Execution;

/// <summary>
/// The temporary artifacts roots of one test, deleted together when it ends. Each test keeps its own instance: test classes
/// run in parallel, so roots shared between classes were deleted by one class's clean-up under another's running trial.
/// </summary>
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
