namespace Hpo.Execution.Container;

/// <summary>A directory of the worker's machine (or a named volume) that trial containers see, such as a data set.</summary>
/// <param name="Source">An absolute path on the worker's machine, or the name of a volume of the container engine.</param>
/// <param name="Target">The absolute path inside the container.</param>
/// <param name="ReadOnly">Whether the container may only read it; data mounts are read-only by default.</param>
public sealed record ContainerMount(string Source, string Target, bool ReadOnly = true);
