using System.Reflection;
using System.Runtime.Loader;
using Hpo.Cli.Parsing;
using Hpo.Objectives;

namespace Hpo.Cli.Workers;

/// <summary>
/// Loads an <see cref="IObjective"/> implementation named <c>path.dll:Namespace.Type</c> into its own
/// <see cref="AssemblyLoadContext"/>: the assembly's own dependencies come from its folder (its <c>.deps.json</c>), while Hpo and
/// the assemblies the tool already has are shared, so <see cref="IObjective"/> is one type on both sides.
/// </summary>
internal static class ObjectiveLoader
{
    /// <summary>Loads and instantiates the objective.</summary>
    /// <param name="reference"><c>path.dll:Namespace.Type</c>.</param>
    /// <returns>The objective.</returns>
    /// <exception cref="UsageException">The reference is malformed.</exception>
    /// <exception cref="CliException">The assembly or type cannot be loaded or is not an objective.</exception>
    public static IObjective Load(string reference)
    {
        int colon = reference.LastIndexOf(':');
        if (colon <= 0 || colon == reference.Length - 1)
        {
            throw new UsageException($"--objective must be written path.dll:Namespace.Type, but got '{reference}'.");
        }

        string path = Path.GetFullPath(reference[..colon]);
        string typeName = reference[(colon + 1)..];
        if (!File.Exists(path))
        {
            throw new CliException($"The objective assembly '{path}' does not exist.");
        }

        Assembly assembly;
        try
        {
            assembly = new ObjectiveLoadContext(path).LoadFromAssemblyPath(path);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            throw new CliException($"The objective assembly '{path}' could not be loaded: {e.Message}", e);
        }

        Type type = assembly.GetType(typeName, throwOnError: false)
            ?? throw new CliException($"The assembly '{path}' has no type '{typeName}'. Name it with its namespace: path.dll:Namespace.Type.");
        if (!typeof(IObjective).IsAssignableFrom(type) || type.IsAbstract)
        {
            throw new CliException($"The type '{typeName}' does not implement Hpo.Objectives.IObjective (or is abstract); the worker can only run objectives.");
        }

        if (type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new CliException($"The type '{typeName}' has no public parameterless constructor; the worker creates it with one.");
        }

        try
        {
            return (IObjective)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e)
        {
            throw new CliException($"The constructor of '{typeName}' threw {e.InnerException?.GetType().Name}: {e.InnerException?.Message}", e.InnerException ?? e);
        }
    }

    private sealed class ObjectiveLoadContext(string path) : AssemblyLoadContext("hpo-objective: " + Path.GetFileName(path))
    {
        private readonly AssemblyDependencyResolver resolver = new(path);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // Shared with the tool when it has it (Hpo above all), so that the interfaces match.
            if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), assemblyName)))
            {
                return null;
            }

            try
            {
                return Default.LoadFromAssemblyName(assemblyName);
            }
            catch (FileNotFoundException)
            {
                // Not one of the tool's: the objective's own dependency.
            }

            return resolver.ResolveAssemblyToPath(assemblyName) is string own ? LoadFromAssemblyPath(own) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is string own ? LoadUnmanagedDllFromPath(own) : IntPtr.Zero;
    }
}
