using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Hpo.Testing;

/// <summary>
/// A child process the tests start, with its standard output and error captured line by line as they come, and the waits,
/// signals and clean-up every such test needs. <see cref="HpoToolProcess"/> and <see cref="TestWorkerProcess"/> say what to start.
/// </summary>
public abstract class CapturedProcess : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();
    private readonly Lock gate = new();
    private readonly string label;

    /// <summary>Starts <paramref name="start"/> with both output streams redirected and captured.</summary>
    /// <param name="start">What to run; its output redirection is set here.</param>
    /// <param name="label">What the process is, in failure messages ("hpo", "worker").</param>
    protected CapturedProcess(ProcessStartInfo start, string label)
    {
        ArgumentNullException.ThrowIfNull(start);
        this.label = label;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process = new Process { StartInfo = start };
        Process.OutputDataReceived += (_, e) => Append(output, e.Data);
        Process.ErrorDataReceived += (_, e) => Append(error, e.Data);
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public int Id => Process.Id;

    public DateTime StartTime => Process.StartTime;

    public bool HasExited => Process.HasExited;

    public int ExitCode => Process.ExitCode;

    /// <summary>Gets the standard output captured so far.</summary>
    public string Output => Read(output);

    /// <summary>Gets the standard error captured so far.</summary>
    public string Error => Read(error);

    /// <summary>Gets the running process.</summary>
    protected Process Process { get; }

    /// <summary>Waits until the process prints a line starting with <paramref name="prefix"/>; fails if it exits first or on timeout.</summary>
    public Task WaitForOutputAsync(string prefix, TimeSpan timeout) =>
        WaitForAsync(() => Task.FromResult(Output.Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal)) ? prefix : null), $"a line starting with '{prefix}'", timeout);

    /// <summary>Waits until standard error matches <paramref name="pattern"/> and returns its first group; fails if the process exits first or on timeout.</summary>
    public Task<string> WaitForErrorAsync(Regex pattern, TimeSpan timeout) =>
        WaitForAsync(() => Task.FromResult(pattern.Match(Error) is { Success: true } m ? m.Groups[1].Value : null), $"a match for {pattern} on standard error", timeout);

    /// <summary>Sends SIGTERM, as a service manager or Kubernetes stops a process.</summary>
    public void Terminate()
    {
        using Process kill = Process.Start("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Kills the process and its child processes with SIGKILL (no chance to clean up) and waits until they are gone.</summary>
    public void Kill()
    {
        Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
    }

    /// <summary>Kills the process and its child processes with SIGKILL (no chance to clean up) and waits until they are gone.</summary>
    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    /// <summary>Waits for the process to exit and returns its exit code, all its output read; on timeout kills it and fails with what it printed.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(5000);
            Assert.Fail($"{label} {Process.Id} did not exit within {timeout}.{Describe()}");
        }

        Process.WaitForExit(); // drains the redirected output
        return Process.ExitCode;
    }

    /// <summary>Describes the process for a failure message: its id and what it printed so far.</summary>
    public string Describe() =>
        $"{Environment.NewLine}--- {label} {Process.Id}{Environment.NewLine}stdout:{Environment.NewLine}{Output}{Environment.NewLine}stderr:{Environment.NewLine}{Error}";

    /// <summary>Kills the process tree if it still runs, and releases the process.</summary>
    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        Process.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Polls <paramref name="probe"/> until it finds what it looks for and returns it; fails with what the process printed if the
    /// process exits first (after one last probe) or on timeout.
    /// </summary>
    /// <param name="probe">Returns what was waited for, or <see langword="null"/> while it is not there.</param>
    /// <param name="what">What is waited for, in failure messages ("a line starting with 'started'").</param>
    /// <param name="timeout">How long to wait.</param>
    protected async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan timeout)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is T found)
            {
                return found;
            }

            if (Process.HasExited)
            {
                Process.WaitForExit(); // drains the redirected output: the last lines may still be on their way
                return await probe() ?? throw FailWith($"{label} {Process.Id} exited ({Process.ExitCode}) before {what} appeared.");
            }

            if (clock.Elapsed > timeout)
            {
                throw FailWith($"{what} did not appear within {timeout} ({label} {Process.Id} still runs).");
            }

            await Task.Delay(PollInterval);
        }
    }

    private Exception FailWith(string message)
    {
        Assert.Fail(message + Describe());
        return new UnreachableException();
    }

    private string Read(StringBuilder from)
    {
        lock (gate)
        {
            return from.ToString();
        }
    }

    private void Append(StringBuilder to, string? line)
    {
        if (line is not null)
        {
            lock (gate)
            {
                to.AppendLine(line);
            }
        }
    }
}
