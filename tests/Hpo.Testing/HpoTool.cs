using System.Diagnostics;
using System.Text.Json;
using Hpo.Trials;
using Xunit;

namespace Hpo.Testing;

/// <summary>The built <c>hpo</c> tool (src/Hpo.Cli), run as a real process: <c>dotnet Hpo.Cli.dll …</c>.</summary>
public static class HpoTool
{
    /// <summary>Gets the built tool's path, recorded at build time.</summary>
    public static string Path { get; } = BuiltTools.Find("Hpo.Cli");

    /// <summary>Runs the tool and returns its exit code and what it printed.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) => RunInAsync(null, arguments);

    /// <summary>Runs the tool in a working folder (null: this process's) and returns its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunInAsync(string? workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(BuiltTools.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        start.ArgumentList.Add(Path);
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>Asserts that <c>hpo best --format json</c> names the same trial, value and parameters as the API's best trial.</summary>
    public static async Task AssertBestIsAsync(string url, string study, TrialRecord expected)
    {
        (int exit, string output, string error) = await RunAsync("best", "--storage", url, "--study", study, "--format", "json");
        Assert.True(exit == 0, $"hpo best exited with {exit}.{Environment.NewLine}stdout:{Environment.NewLine}{output}stderr:{Environment.NewLine}{error}");
        JsonElement best = JsonDocument.Parse(output).RootElement;
        Assert.Equal(study, best.GetProperty("study").GetString());
        Assert.Equal(expected.Number, best.GetProperty("number").GetInt32());
        Assert.Equal(expected.Value, best.GetProperty("value").GetDouble());
        JsonElement parameters = best.GetProperty("params");
        Assert.Equal(expected.Parameters.Count, parameters.EnumerateObject().Count());
        foreach ((string name, object value) in expected.Parameters)
        {
            JsonElement printed = parameters.GetProperty(name);
            switch (value)
            {
                case string s:
                    Assert.Equal(s, printed.GetString());
                    break;
                case bool b:
                    Assert.Equal(b, printed.GetBoolean());
                    break;
                default:
                    Assert.Equal(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), printed.GetDouble());
                    break;
            }
        }
    }
}
