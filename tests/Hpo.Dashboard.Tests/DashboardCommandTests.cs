using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hpo.Testing;

namespace Hpo.Dashboard.Tests;

/// <summary><c>hpo dashboard</c> as a real process: it serves on loopback, hides the password, and stops cleanly on SIGTERM.</summary>
public sealed partial class DashboardCommandTests(SyntheticDatabase db) : IClassFixture<SyntheticDatabase>
{
    private sealed class ToolProcess : IDisposable
    {
        private readonly StringBuilder error = new();
        private readonly StringBuilder output = new();

        public ToolProcess(params string[] arguments)
        {
            var start = new ProcessStartInfo(BuiltTools.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(HpoTool.Path);
            foreach (string a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            Process = Process.Start(start)!;
            Process.ErrorDataReceived += (_, e) => { lock (error) { error.AppendLine(e.Data); } };
            Process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            Process.BeginErrorReadLine();
            Process.BeginOutputReadLine();
        }

        public Process Process { get; }

        public string Error { get { lock (error) { return error.ToString(); } } }

        public string Output { get { lock (output) { return output.ToString(); } } }

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

                if (Process.HasExited)
                {
                    Assert.Fail($"hpo exited early ({Process.ExitCode}): {Error}");
                }

                await Task.Delay(100);
            }

            throw new TimeoutException($"No match for {pattern} within {timeout}: {Error}");
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.Dispose();
        }
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    [Fact]
    public async Task Dashboard_ServesOnLoopbackAndStopsCleanlyOnSigterm()
    {
        using var tool = new ToolProcess("dashboard", "--storage", db.Url, "--urls", "http://127.0.0.1:0", "--format", "json");
        string address = await tool.WaitForErrorAsync(Listening(), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        JsonElement studies = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/studies", UriKind.Relative));
        Assert.Contains(studies.GetProperty("studies").EnumerateArray(), s => s.GetProperty("name").GetString() == SyntheticDatabase.Study);

        using (Process kill = Process.Start("kill", ["-TERM", tool.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await tool.Process.WaitForExitAsync(timeout.Token);
        Assert.True(tool.Process.ExitCode == 0, tool.Error);
        Assert.Contains("\"dashboard\":\"stopped\"", tool.Output.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_NeverPrintsOrServesThePassword()
    {
        const string secret = "NotForYourEyes42";
        using var tool = new ToolProcess("dashboard", "--storage", $"postgresql://hpo:{secret}@127.0.0.1:1/studies", "--urls", "http://127.0.0.1:0");
        string address = await tool.WaitForErrorAsync(Listening(), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        string page = await http.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.DoesNotContain(secret, page, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, tool.Error, StringComparison.Ordinal);
        Assert.Contains("hpo:***@127.0.0.1:1", tool.Error, StringComparison.Ordinal);
    }
}
