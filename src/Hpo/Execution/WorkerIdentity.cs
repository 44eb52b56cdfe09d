using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Hpo.Execution;

/// <summary>
/// Names the worker that owns running trials: <c>host:pid:processStart:instance</c>. The host and process let a worker on the
/// same machine tell at once that an owner's process is gone, without waiting for its lease to expire.
/// </summary>
internal static class WorkerIdentity
{
    private static readonly Lazy<(string Host, int Pid, long Start)> Self = new(() =>
    {
        using var p = Process.GetCurrentProcess();
        return (Environment.MachineName, p.Id, StartTicks(p));
    });

    /// <summary>Creates a new owner name for one worker (one optimization run) of this process.</summary>
    public static string NewOwner()
    {
        (string host, int pid, long start) = Self.Value;
        return string.Create(CultureInfo.InvariantCulture, $"{host}:{pid}:{start}:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
    }

    /// <summary>
    /// Determines whether an owner is known to be gone: it names this host and either no process with its id is running, or a
    /// different process (started at another time) now has that id. Owners on other hosts are never judged here.
    /// </summary>
    public static bool IsLocalOwnerGone(string? owner)
    {
        if (owner is null)
        {
            return false;
        }

        string[] parts = owner.Split(':');
        if (parts.Length != 4 || parts[0] != Self.Value.Host
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int pid)
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out long start))
        {
            return false;
        }

        if (pid == Self.Value.Pid)
        {
            return start != Self.Value.Start;
        }

        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited || StartTicks(p) != start;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true;
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
    }
}
