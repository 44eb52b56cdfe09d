using System.Diagnostics;
using System.Text;
using Hpo.SearchSpaces;
using Xunit;

namespace Hpo.Testing;

/// <summary>A running tests/Hpo.TestWorker child process (see its Program.cs for the commands), with its output captured.</summary>
public sealed class TestWorkerProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();
    private readonly Lock gate = new();

    private TestWorkerProcess(IEnumerable<string> arguments, int maxRetries = 0, SearchSpace? space = null, IReadOnlyList<string>? wrapper = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : BuiltTools.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (wrapper is { Count: > 0 })
        {
            // A program that runs the worker (unshare, nsenter...): its own arguments, then the dotnet host.
            foreach (string w in wrapper.Skip(1))
            {
                start.ArgumentList.Add(w);
            }

            start.ArgumentList.Add(BuiltTools.DotnetHost);
        }

        start.ArgumentList.Add(WorkerPath);
        if (maxRetries > 0)
        {
            start.Environment["HPO_TEST_MAX_RETRIES"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (space is not null)
        {
            start.Environment["HPO_TEST_SPACE"] = space.ToJson();
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Gets the built worker: its path is recorded in this assembly at build time (see Hpo.Testing.csproj).</summary>
    public static string WorkerPath { get; } = BuiltTools.Find("Hpo.TestWorker");

    public int Id => process.Id;

    public DateTime StartTime => process.StartTime;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

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

    /// <summary>
    /// Starts <c>run</c>: join or create the study and optimize it until its budget is spent (in <paramref name="space"/> when
    /// given, otherwise in the worker's own space of x and n).
    /// </summary>
    /// <param name="wrapper">A program and its arguments that run the worker (for example <c>unshare -pf --mount-proc</c>), if any.</param>
    /// <param name="environment">Extra environment variables (HPO_TEST_GRACE_MS, HPO_TEST_IGNORE_CANCEL: see the worker's Program.cs).</param>
    public static TestWorkerProcess Run(string url, string study, int budget, int seed, TimeSpan lease, TimeSpan sleep, int hangAtTrial = -1, int maxRetries = 0, SearchSpace? space = null, IReadOnlyList<string>? wrapper = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var args = new List<string> { "run", url, study, Invariant(budget), Invariant(seed), Invariant((int)lease.TotalMilliseconds), Invariant((int)sleep.TotalMilliseconds) };
        if (hangAtTrial >= 0)
        {
            args.Add(Invariant(hangAtTrial));
        }

        return new TestWorkerProcess(args, maxRetries, space, wrapper, environment);
    }

    /// <summary>Starts <c>wait</c>: a live process that exits when its standard input is closed.</summary>
    public static TestWorkerProcess Wait() => new(["wait"]);

    public void CloseInput() => process.StandardInput.Close();

    /// <summary>Waits for the process to exit; on timeout kills it and fails with what it printed.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"Worker {process.Id} did not exit within {timeout}.{Describe()}");
        }

        return process.ExitCode;
    }

    /// <summary>Waits until the process prints a line starting with <paramref name="prefix"/>.</summary>
    public async Task WaitForOutputAsync(string prefix, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (clock.Elapsed > timeout || process.HasExited)
            {
                Assert.Fail($"Worker {process.Id} did not print '{prefix}' within {timeout}.{Describe()}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Sends SIGTERM, as a service manager or Kubernetes stops a worker.</summary>
    public void Terminate()
    {
        using Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Kills the process with SIGKILL (no chance to clean up) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public string Describe() => $"{Environment.NewLine}stdout:{Environment.NewLine}{Output}{Environment.NewLine}stderr:{Environment.NewLine}{Error}";

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

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
