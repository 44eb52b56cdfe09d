using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Hpo.Internal;

namespace Hpo.Execution;

/// <summary>
/// Names the worker that owns running trials: <c>host:pid:processStart:instance:scope</c>. The scope names the process-id space the
/// pid belongs to (on Linux, the boot and the PID namespace): a worker that shares this scope can tell at once that an owner's
/// process is gone, without waiting for its lease to expire. Workers that share a host name but not a PID namespace (containers
/// with the host's UTS or network namespace, <c>hostNetwork</c> pods, compose <c>hostname:</c>) have different scopes and never
/// judge each other: their trials expire by lease only.
/// </summary>
internal static class WorkerIdentity
{
    private const int NoSuchProcess = 3; // ESRCH

    private static readonly Lazy<(string Host, int Pid, long Start, string Scope)> Self = new(() =>
    {
        using var p = Process.GetCurrentProcess();
        return (Environment.MachineName, p.Id, StartTicks(p), ReadScope());
    });

    /// <summary>Gets this process's scope: the space its process ids belong to; empty when it cannot be told (then no owner is judged).</summary>
    internal static string Scope => Self.Value.Scope;

    /// <summary>Creates a new owner name for one worker (one optimization run) of this process.</summary>
    public static string NewOwner()
    {
        (string host, int pid, long start, string scope) = Self.Value;
        return string.Create(CultureInfo.InvariantCulture, $"{host}:{pid}:{start}:{Hex.Lower(RandomNumberGenerator.GetBytes(4))}:{scope}");
    }

    /// <summary>
    /// Determines whether an owner is certainly gone: it names this host and this process-id space (same boot, same PID namespace),
    /// and either no process has its id, or a process started at another time now has it. Whenever that cannot be told for sure
    /// (another host or namespace, an owner name of an older release without a scope, a process that exists but whose start time
    /// cannot be read: <c>hidepid</c>, another user), the owner is not judged gone; its lease decides.
    /// </summary>
    public static bool IsLocalOwnerGone(string? owner)
    {
        if (owner is null)
        {
            return false;
        }

        string[] parts = owner.Split(':');
        (string host, int selfPid, long selfStart, string scope) = Self.Value;
        if (parts.Length != 5 || scope.Length == 0 || parts[0] != host || parts[4] != scope
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int pid) || pid <= 0
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out long start))
        {
            return false;
        }

        if (pid == selfPid)
        {
            return start != selfStart;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            // Signal 0 checks existence without touching the process; it answers even for processes /proc hides (EPERM).
            if (Kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() == NoSuchProcess)
            {
                return true;
            }
        }

        try
        {
            using var p = Process.GetProcessById(pid);
            long actual = StartTicks(p);
            return !p.HasExited && actual != 0 && actual != start;
        }
        catch (ArgumentException)
        {
            // Not visible (hidepid) although the signal check found it, or it exited in between: only the latter is certain.
            return !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) || (Kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() == NoSuchProcess);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>On Linux, the boot id and the PID namespace (<c>/proc/self/ns/pid</c>); elsewhere, the boot time.</summary>
    private static string ReadScope()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                string boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim().Replace("-", string.Empty, StringComparison.Ordinal);
                string? ns = new FileInfo("/proc/self/ns/pid").LinkTarget; // "pid:[4026531836]"
                if (boot.Length < 8 || ns is null)
                {
                    return string.Empty;
                }

                string inode = new([.. ns.Where(char.IsAsciiDigit)]);
                return inode.Length == 0 ? string.Empty : boot[..12] + "-" + inode;
            }

            // One PID space per boot: the boot time, to the minute (the tick count drifts against the wall clock).
            long bootMinutes = (TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - Environment.TickCount64) / 60_000;
            return "b" + bootMinutes.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return string.Empty;
        }
    }

    private static long StartTicks(Process p)
    {
        try
        {
            return p.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 0;
        }
        catch (NotSupportedException)
        {
            return 0;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in the project; this one blittable call does not justify it.
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
