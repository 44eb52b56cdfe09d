using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Hpo.Execution.ChildProcess;
using Hpo.SearchSpaces;
using Hpo.Testing;

namespace Hpo.Tests.Execution.ChildProcess;

/// <summary>Commands for the child-process tests: shell scripts, and tests/Hpo.TestTrialProgram run by the dotnet host.</summary>
internal static class TrialPrograms
{
    /// <summary>Gets the built C# trial program: its path is recorded in this assembly at build time (see Hpo.Tests.csproj).</summary>
    public static string CSharpProgramPath { get; } = typeof(TrialPrograms).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Hpo.TestTrialProgram").Value!;

    public static SearchSpace Space { get; } = new SearchSpaceBuilder()
        .AddFloat("x", -2, 2)
        .AddInt("layers", 1, 4)
        .AddCategorical("optimizer", ["sgd", "adam"])
        .Build();

    /// <summary>The artifacts roots of the child-process tests (each test class keeps its own: classes run in parallel).</summary>
    public static ArtifactRoots Roots { get; } = new();

    public static string NewArtifactsRoot() => Roots.New();

    /// <summary>Deletes the artifacts roots made so far (the tests of one class run one at a time).</summary>
    public static void DeleteArtifactsRoots() => Roots.DeleteAll();

    /// <summary>Options that run a shell script (argument $0 is "trial", then the extra arguments).</summary>
    public static ChildProcessExecutorOptions Shell(string script, params string[] arguments)
    {
        var options = new ChildProcessExecutorOptions { Command = ["/bin/sh", "-c", script, "trial", .. arguments], ArtifactsRoot = NewArtifactsRoot(), GracePeriod = TimeSpan.FromSeconds(1) };
        return options;
    }

    public static ChildProcessExecutorOptions CSharp(string mode, int epochs = 3) =>
        new() { Command = [BuiltTools.DotnetHost, CSharpProgramPath, mode, epochs.ToString(CultureInfo.InvariantCulture)], ArtifactsRoot = NewArtifactsRoot(), GracePeriod = TimeSpan.FromSeconds(2) };

    /// <summary>Determines whether a process runs (a zombie counts as gone).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits until the processes are gone; returns those still alive after the timeout.</summary>
    public static async Task<int[]> WaitGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        int[] alive = [.. pids.Where(IsAlive)];
        while (alive.Length > 0 && watch.Elapsed < timeout)
        {
            await Task.Delay(50);
            alive = [.. alive.Where(IsAlive)];
        }

        return alive;
    }

    public static int ReadPid(string path)
    {
        return int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Waits for a file to exist with content.</summary>
    public static async Task WaitForFileAsync(string path, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!(File.Exists(path) && new FileInfo(path).Length > 0))
        {
            Assert.True(watch.Elapsed < timeout, $"{path} did not appear within {timeout}.");
            await Task.Delay(20);
        }
    }
}
