using System.Diagnostics;
using System.Text;

namespace Hpo.Packaging.Tests;

/// <summary>Runs the dotnet command line (or a program it installed) as a real process, with its output captured.</summary>
internal static class Dotnet
{
    /// <summary>Gets the dotnet host: the one that runs these tests.</summary>
    public static string Host { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    /// <summary>Gets the folder of the dotnet host (the DOTNET_ROOT of the programs it installs).</summary>
    public static string Root { get; } = Path.GetDirectoryName(Path.GetFullPath(ResolveLinks(Host == "dotnet" ? Which("dotnet") : Host)))!;

    /// <summary>Runs <c>dotnet ARGS</c> in a folder and returns what happened; never throws for a non-zero exit code.</summary>
    public static Task<Run> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        RunProgramAsync(Host, workingDirectory, timeout, arguments);

    /// <summary>Runs a program in a folder, with the environment of a user's shell (no MSBuild variables of this test run).</summary>
    public static async Task<Run> RunProgramAsync(string program, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // dotnet test sets MSBuild's variables for its own build; a user's shell has none of them.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_ROOT"] = Root;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            lock (output)
            {
                return new Run(program, arguments, -1, $"{output}\n(killed after {timeout.TotalSeconds:0} s)", stopwatch.Elapsed);
            }
        }

        process.WaitForExit();
        lock (output)
        {
            return new Run(program, arguments, process.ExitCode, output.ToString(), stopwatch.Elapsed);
        }
    }

    private static string Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists) ?? name;

    private static string ResolveLinks(string path) =>
        File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
}

/// <summary>What a process did: its exit code and its standard output and error, interleaved.</summary>
internal sealed record Run(string Program, IReadOnlyList<string> Arguments, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>Throws with the command and its whole output unless it exited with 0.</summary>
    public Run EnsureSuccess()
    {
        Assert.True(ExitCode == 0, $"'{Path.GetFileName(Program)} {string.Join(' ', Arguments)}' exited with {ExitCode} after {Elapsed.TotalSeconds:0} s:\n{Output}");
        return this;
    }
}
