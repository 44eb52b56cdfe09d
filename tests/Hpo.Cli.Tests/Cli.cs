using System.Text.Json;
using Hpo.Cli.Storage;

namespace Hpo.Cli.Tests;

/// <summary>What one run of the tool printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public JsonElement Json() => JsonDocument.Parse(Output).RootElement.Clone();

    /// <summary>Gets the output's lines, without the final empty one.</summary>
    public string[] Lines() => Output.TrimEnd('\n').Split('\n');

    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Output}stderr:{Environment.NewLine}{Error}";
}

/// <summary>Runs <c>hpo</c> in this process, with its standard output and error captured.</summary>
internal static class Cli
{
    public static Task<CliResult> RunAsync(params string[] arguments) => RunWithEnvironmentAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs <c>hpo</c> with these environment variables instead of the process's (for <c>HPO_STORAGE</c>).</summary>
    public static async Task<CliResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        int exit = await HpoCli.RunAsync(arguments, output, error, new StorageOpener(error, environment: name => environment.GetValueOrDefault(name)));
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
