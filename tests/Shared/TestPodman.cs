using System.Collections.Concurrent;
using System.Diagnostics;
using System.Formats.Tar;

namespace Hpo.Tests.Shared;

/// <summary>
/// Podman for the container tests of several test projects (compiled into each): the flags this sandbox needs, and tiny local
/// images built in the test (there is no registry): a static busybox as /bin/sh and its applets, imported with
/// <c>podman import</c>, optionally with a default command.
/// </summary>
internal static class TestPodman
{
    /// <summary>The busybox image without a command of its own.</summary>
    public const string BusyboxImage = "localhost/hpo-test-busybox:rootfs-2";

    /// <summary>The global podman flags of this sandbox (root in a container, cgroups v1): runc as the OCI runtime.</summary>
    public static readonly string[] GlobalArguments = ["--runtime", "runc"];

    /// <summary>The <c>run</c> flags of this sandbox: runc may not raise the open-file and process limits, and no network is needed.</summary>
    public static readonly string[] RunArguments = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "none"];

    private static readonly SemaphoreSlim ImageGate = new(1, 1);
    private static readonly ConcurrentDictionary<string, bool> Ready = new(StringComparer.Ordinal);
    private static readonly Lazy<bool> Installed = new(() => Run(["--version"]).Code == 0);

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool Available => Installed.Value;

    /// <summary>Gets why the container tests are skipped, or null when they run. Under CI they never skip: they fail instead.</summary>
    public static string? SkipReason => Available || IsCi ? null
        : "podman is not installed (apt-get install -y podman runc busybox-static); the container tests run under CI (CI=true), where they fail without it.";

    /// <summary>Builds and imports an image of the busybox root file system once per test run, with an optional default command (a Dockerfile CMD in JSON form).</summary>
    public static async Task EnsureImageAsync(string image = BusyboxImage, string? command = null)
    {
        if (!Available)
        {
            throw new InvalidOperationException("podman is not installed, and the container tests must run under CI (CI=true): install it with apt-get install -y podman runc busybox-static (.ci/run does).");
        }

        await ImageGate.WaitAsync();
        try
        {
            if (Ready.ContainsKey(image) || Run(["image", "exists", image]).Code == 0)
            {
                Ready[image] = true;
                return;
            }

            string tar = Path.Combine(Path.GetTempPath(), $"hpo-test-image-{Guid.NewGuid():N}.tar");
            try
            {
                await WriteRootFsAsync(tar);
                (int code, string output) = Run(["import", "--quiet", .. command is null ? Array.Empty<string>() : ["--change", "CMD " + command], tar, image]);
                if (code != 0)
                {
                    throw new InvalidOperationException($"podman import failed with code {code}: {output}");
                }

                Ready[image] = true;
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
        return code == 0
            ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : throw new InvalidOperationException("podman ps failed: " + output);
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

    private static string Busybox => new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("The container tests need a static busybox (apt-get install -y busybox-static) to build their image.");

    /// <summary>
    /// The root file system: busybox and a link per applet in /bin, /lib and /lib64 pointing into /usr (so that a test can mount
    /// the host's /usr to run dynamically linked programs), and empty mount points.
    /// </summary>
    private static async Task WriteRootFsAsync(string path)
    {
        string busybox = Busybox;
        var start = new ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true, UseShellExecute = false };
        string list;
        using (var p = Process.Start(start)!)
        {
            list = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
        }

        await using FileStream file = File.Create(path);
        await using var tar = new TarWriter(file, TarEntryFormat.Pax);
        foreach (string dir in (string[])["bin", "tmp", "proc", "sys", "dev", "etc", "usr", "hpo", "dotnet", "app", "data"])
        {
            UnixFileMode mode = (UnixFileMode)Convert.ToInt32("755", 8) | (dir == "tmp" ? UnixFileMode.StickyBit | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite : 0);
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, dir + "/") { Mode = mode });
        }

        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "lib") { LinkName = "usr/lib" });
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "lib64") { LinkName = "usr/lib64" });
        await tar.WriteEntryAsync(busybox, "bin/busybox");
        foreach (string applet in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(a => a != "busybox").Distinct())
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
        }
    }
}

/// <summary>A fact that needs podman: skipped with the reason when it is missing outside CI; under CI it runs and fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PodmanFactAttribute : FactAttribute
{
    public PodmanFactAttribute()
    {
        if (TestPodman.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
