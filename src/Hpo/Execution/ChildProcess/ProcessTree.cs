using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Hpo.Execution.ChildProcess;

/// <summary>Signals and kills a process with its descendants. Descendants are found through <c>/proc</c> on Linux.</summary>
internal static partial class ProcessTree
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>
    /// Returns the process and all its descendants (Linux; elsewhere only the process), each with its start time, so that a
    /// process id reused later by an unrelated process is never signalled.
    /// </summary>
    public static List<(int Pid, long Start)> Snapshot(int root)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [(root, 0)];
        }

        var children = new Dictionary<int, List<int>>();
        var starts = new Dictionary<int, long>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so parse after the last ')'.
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                int ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
                starts[pid] = long.Parse(fields[19], CultureInfo.InvariantCulture);
                if (!children.TryGetValue(ppid, out List<int>? list))
                {
                    children[ppid] = list = [];
                }

                list.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process ended while we looked.
            }
        }

        var tree = new List<int> { root };
        for (int i = 0; i < tree.Count; i++)
        {
            if (children.TryGetValue(tree[i], out List<int>? list))
            {
                tree.AddRange(list);
            }
        }

        return [.. tree.Select(pid => (pid, starts.GetValueOrDefault(pid)))];
    }

    /// <summary>Sends SIGTERM to every process of a snapshot (no-op on Windows).</summary>
    public static void Terminate(IEnumerable<(int Pid, long Start)> snapshot) => Signal(snapshot, SigTerm);

    /// <summary>Kills the process with its current tree, then every process of an earlier snapshot still alive.</summary>
    public static void Kill(Process process, IEnumerable<(int Pid, long Start)> snapshot)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }

        Signal(snapshot, SigKill);
    }

    private static void Signal(IEnumerable<(int Pid, long Start)> snapshot, int signal)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach ((int pid, long start) in snapshot)
        {
            if (!OperatingSystem.IsLinux() || StartTime(pid) == start)
            {
                _ = SendSignal(pid, signal);
            }
        }
    }

    /// <summary>Reads a process's start time (clock ticks after boot) from <c>/proc</c>; -1 when it is gone.</summary>
    private static long StartTime(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return -1;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in the project; this one blittable call does not justify it.
    private static extern int SendSignal(int pid, int signal);
#pragma warning restore SYSLIB1054
}
