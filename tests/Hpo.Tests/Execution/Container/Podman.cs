using Hpo.Execution.Container;
using Hpo.Testing;
using Hpo.Tests.Execution.ChildProcess;
using Hpo.Tests.Shared;

namespace Hpo.Tests.Execution.Container;

/// <summary>
/// Container-executor options for the tests: shell scripts in the busybox test image (<see cref="TestPodman"/>), and the C#
/// trial program run by the host's dotnet with the host's /usr (shared libraries), the dotnet installation and the program
/// mounted read-only into the same image.
/// </summary>
internal static class Podman
{
    /// <summary>Options that run a shell script in the test image, with a new artifacts root from the calling test's <paramref name="roots"/>.</summary>
    public static ContainerExecutorOptions Shell(ArtifactRoots roots, string script)
    {
        ContainerExecutorOptions options = Base(roots);
        options.Command = ["/bin/sh", "-c", script];
        return options;
    }

    /// <summary>Options that run the C# trial program in <paramref name="mode"/>, with a new artifacts root from the calling test's <paramref name="roots"/>.</summary>
    public static ContainerExecutorOptions CSharp(ArtifactRoots roots, string mode, int epochs = 3)
    {
        string dotnet = Path.GetFullPath(ResolveLinks(BuiltTools.DotnetHost is "dotnet" ? FindOnPath("dotnet") : BuiltTools.DotnetHost));
        string app = Path.GetDirectoryName(TrialPrograms.CSharpProgramPath)!;
        ContainerExecutorOptions options = Base(roots);
        options.Mounts.Add(new ContainerMount("/usr", "/usr"));
        options.Mounts.Add(new ContainerMount(Path.GetDirectoryName(dotnet)!, "/dotnet"));
        options.Mounts.Add(new ContainerMount(app, "/app"));
        options.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        options.Command = ["/dotnet/" + Path.GetFileName(dotnet), "/app/" + Path.GetFileName(TrialPrograms.CSharpProgramPath), mode, epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        options.GracePeriod = TimeSpan.FromSeconds(3);
        return options;
    }

    private static ContainerExecutorOptions Base(ArtifactRoots roots)
    {
        var options = new ContainerExecutorOptions
        {
            Cli = "podman",
            Image = TestPodman.BusyboxImage,
            PullPolicy = ContainerPullPolicy.Never,
            ArtifactsRoot = roots.New(),
            GracePeriod = TimeSpan.FromSeconds(1),
            NamePrefix = "hpotest",
        };
        foreach (string a in TestPodman.GlobalArguments)
        {
            options.GlobalArguments.Add(a);
        }

        foreach (string a in TestPodman.RunArguments)
        {
            options.RunArguments.Add(a);
        }

        return options;
    }

    private static string ResolveLinks(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    private static string FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists) ?? name;
}
