using System.Reflection;

namespace Hpo.Cli.Tests;

/// <summary>How the end-to-end tests start the built tool: <c>dotnet Hpo.Cli.dll …</c>.</summary>
internal static class ToolPaths
{
    /// <summary>Gets the built tool's path, recorded in this assembly at build time (see the project file).</summary>
    public static string Tool()
    {
        string? path = typeof(ToolPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "Hpo.Cli")?.Value;
        return path is not null && File.Exists(path)
            ? path
            : throw new InvalidOperationException($"The built tool was not found at '{path}'. Build src/Hpo.Cli (the test project references it).");
    }

    /// <summary>Gets the dotnet host that runs the tests, to run the tool with.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
