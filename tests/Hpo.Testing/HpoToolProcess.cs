using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Hpo.Testing;

/// <summary>The built <c>hpo</c> tool running as a real process (<c>dotnet Hpo.Cli.dll …</c>), its output captured as it comes.</summary>
public sealed class HpoToolProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();
    private readonly Lock gate = new();

    private HpoToolProcess(ProcessStartInfo start)
    {
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string Output
    {
        get
        {
            lock (gate)
            {
                return output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (gate)
            {
                return error.ToString();
            }
        }
    }

    /// <summary>Starts the tool with <paramref name="arguments"/>, and the given variables added to this process's environment.</summary>
    public static HpoToolProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(BuiltTools.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(HpoTool.Path);
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new HpoToolProcess(start);
    }

    /// <summary>Waits until standard error matches <paramref name="pattern"/> and returns its first group; fails if the tool exits first.</summary>
    public async Task<string> WaitForErrorAsync(Regex pattern, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            Match m = pattern.Match(Error);
            if (m.Success)
            {
                return m.Groups[1].Value;
            }

            if (process.HasExited)
            {
                Assert.Fail($"hpo exited early ({process.ExitCode}).{Describe()}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No match for {pattern} within {timeout}.{Describe()}");
    }

    /// <summary>Sends SIGTERM, as a service manager or Kubernetes stops the tool.</summary>
    public void Terminate()
    {
        using Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Kills the tool and its child processes with SIGKILL (no chance to clean up) and waits until they are gone.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>Waits for the tool to exit and returns its exit code; on timeout fails with what it printed.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"hpo ({process.Id}) did not exit within {timeout}.{Describe()}");
        }

        process.WaitForExit(); // drains the redirected output
        return process.ExitCode;
    }

    public string Describe() => $"{Environment.NewLine}--- hpo {process.Id}{Environment.NewLine}stdout:{Environment.NewLine}{Output}stderr:{Environment.NewLine}{Error}";

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        process.Dispose();
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
