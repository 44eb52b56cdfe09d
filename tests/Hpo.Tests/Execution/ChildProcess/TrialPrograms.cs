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

    /// <summary>Options that run a shell script (argument $0 is "trial", then the extra arguments), with a new artifacts root from <paramref name="roots"/>.</summary>
    /// <param name="roots">The calling test's own roots: a root another test can delete is a race (test classes run in parallel).</param>
    public static ChildProcessExecutorOptions Shell(ArtifactRoots roots, string script, params string[] arguments) =>
        new() { Command = ["/bin/sh", "-c", script, "trial", .. arguments], ArtifactsRoot = roots.New(), GracePeriod = TimeSpan.FromSeconds(1) };

    /// <summary>Options that run the C# trial program in <paramref name="mode"/>, with a new artifacts root from <paramref name="roots"/>.</summary>
    public static ChildProcessExecutorOptions CSharp(ArtifactRoots roots, string mode, int epochs = 3) =>
        new() { Command = [BuiltTools.DotnetHost, CSharpProgramPath, mode, epochs.ToString(CultureInfo.InvariantCulture)], ArtifactsRoot = roots.New(), GracePeriod = TimeSpan.FromSeconds(2) };

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
