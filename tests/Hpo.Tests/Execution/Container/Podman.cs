using System.Diagnostics;
using System.Formats.Tar;
using Hpo.Execution.Container;
using Hpo.Tests.Execution.ChildProcess;

namespace Hpo.Tests.Execution.Container;

/// <summary>
/// Podman for the container tests: the flags this sandbox needs, and a tiny local image built in the test (there is no registry):
/// a static busybox as /bin/sh and its applets, imported with <c>podman import</c>. The C# trial program runs in the same image
/// with the host's /usr (shared libraries) and dotnet installation mounted read-only.
/// </summary>
internal static class Podman
{
    public const string Image = "localhost/hpo-test-busybox:rootfs-2";

    private static readonly SemaphoreSlim ImageGate = new(1, 1);
    private static readonly Lazy<string?> Version = new(() => Run(["--version"]) is (0, string v) ? v.Trim() : null);
    private static bool imageReady;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool Available => Version.Value is not null;

    /// <summary>Gets why the container tests are skipped, or null when they run. Under CI they never skip: they fail instead.</summary>
    public static string? SkipReason => Available || IsCi ? null
        : "podman is not installed (apt-get install -y podman runc busybox-static); the container tests run under CI (CI=true), where they fail without it.";

    public static string Busybox => new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("The container tests need a static busybox (apt-get install -y busybox-static) to build their image.");

    /// <summary>Options for a shell script in the test image, with this sandbox's podman flags.</summary>
    public static ContainerExecutorOptions Shell(string script)
    {
        var options = Base();
        options.Command = ["/bin/sh", "-c", script];
        return options;
    }

    /// <summary>Options for the C# trial program (tests/Hpo.TestTrialProgram) run by the host's dotnet, mounted into the test image.</summary>
    public static ContainerExecutorOptions CSharp(string mode, int epochs = 3)
    {
        string dotnet = Path.GetFullPath(ResolveLinks(TrialPrograms.DotnetHost is "dotnet" ? FindOnPath("dotnet") : TrialPrograms.DotnetHost));
        string app = Path.GetDirectoryName(TrialPrograms.CSharpProgramPath)!;
        var options = Base();
        options.Mounts.Add(new ContainerMount("/usr", "/usr"));
        options.Mounts.Add(new ContainerMount(Path.GetDirectoryName(dotnet)!, "/dotnet"));
        options.Mounts.Add(new ContainerMount(app, "/app"));
        options.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        options.Command = ["/dotnet/" + Path.GetFileName(dotnet), "/app/" + Path.GetFileName(TrialPrograms.CSharpProgramPath), mode, epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        options.GracePeriod = TimeSpan.FromSeconds(3);
        return options;
    }

    /// <summary>Builds and imports the test image once per test run.</summary>
    public static async Task EnsureImageAsync()
    {
        if (!Available)
        {
            throw new InvalidOperationException("podman is not installed, and the container tests must run under CI (CI=true): install it with apt-get install -y podman runc busybox-static (.ci/run does).");
        }

        await ImageGate.WaitAsync();
        try
        {
            if (imageReady || Run(["image", "exists", Image]) is (0, _))
            {
                imageReady = true;
                return;
            }

            string tar = Path.Combine(Path.GetTempPath(), $"hpo-test-image-{Guid.NewGuid():N}.tar");
            try
            {
                await WriteRootFsAsync(tar);
                (int code, string output) = Run(["import", "--quiet", tar, Image]);
                Assert.True(code == 0, $"podman import failed with code {code}: {output}");
                imageReady = true;
            }
            finally
            {
                File.Delete(tar);
            }
        }
        finally
        {
            ImageGate.Release();
        }
    }

    /// <summary>Gets the names of the containers (running or not) that carry a label.</summary>
    public static IReadOnlyList<string> Containers(string label)
    {
        (int code, string output) = Run(["ps", "-a", "--filter", "label=" + label, "--format", "{{.Names}}"]);
        Assert.True(code == 0, output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Runs podman with this sandbox's global flags; returns its exit code and output (both streams).</summary>
    public static (int Code, string Output) Run(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in GlobalArguments.Concat(arguments))
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(start)!;
            Task<string> error = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output + error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static readonly string[] GlobalArguments = ["--runtime", "runc"];

    private static ContainerExecutorOptions Base()
    {
        var options = new ContainerExecutorOptions
        {
            Cli = "podman",
            Image = Image,
            PullPolicy = ContainerPullPolicy.Never,
            ArtifactsRoot = TrialPrograms.NewArtifactsRoot(),
            GracePeriod = TimeSpan.FromSeconds(1),
            NamePrefix = "hpotest",
        };
        foreach (string a in GlobalArguments)
        {
            options.GlobalArguments.Add(a);
        }

        foreach (string a in (string[])["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "none"])
        {
            options.RunArguments.Add(a);
        }

        return options;
    }

    private static async Task WriteRootFsAsync(string path)
    {
        string busybox = Busybox;
        (int code, string list) = RunBusybox(busybox);
        Assert.True(code == 0, "busybox --list failed: " + list);
        await using FileStream file = File.Create(path);
        await using var tar = new TarWriter(file, TarEntryFormat.Pax);
        foreach (string dir in (string[])["bin", "tmp", "proc", "sys", "dev", "etc", "usr", "hpo", "dotnet", "app", "data"])
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, dir + "/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) | (dir == "tmp" ? UnixFileMode.StickyBit | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite : 0) });
        }

        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "lib") { LinkName = "usr/lib" });
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "lib64") { LinkName = "usr/lib64" });
        await tar.WriteEntryAsync(busybox, "bin/busybox");
        foreach (string applet in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(a => a != "busybox").Distinct())
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
        }
    }

    private static (int, string) RunBusybox(string busybox)
    {
        var start = new ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    private static string ResolveLinks(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    private static string FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists) ?? name;
}

/// <summary>A fact that needs podman: skipped with the reason when it is missing outside CI; under CI it runs and fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PodmanFactAttribute : FactAttribute
{
    public PodmanFactAttribute()
    {
        if (Podman.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
