using System.Reflection;

namespace Hpo.Testing;

/// <summary>Where the programs the tests start are: the dotnet host and the built assemblies recorded in Hpo.Testing.csproj.</summary>
public static class BuiltTools
{
    /// <summary>Gets the dotnet host that runs this test process (so that children run on the same runtime).</summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            {
                return host;
            }

            string? self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }

    /// <summary>Gets the path of a built assembly recorded at build time under <paramref name="key"/>, failing clearly when it is missing.</summary>
    public static string Find(string key)
    {
        string? path = typeof(BuiltTools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value;
        return path is not null && File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{key} was not found at '{path}'. Build tests/Hpo.Testing (it references the project, so building it builds {key}).");
    }
}
