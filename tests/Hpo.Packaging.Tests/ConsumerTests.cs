using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hpo.Packaging.Tests;

/// <summary>
/// Projects outside the solution, targeting net8.0, restore the packages from the feed, run studies on SQLite on the .NET 8
/// runtime, and the hpo tool installed from the same feed reads the study. Nothing here is mocked: real restores, builds,
/// processes and a real SQLite file.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed partial class ConsumerTests(PackageFeed feed)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_net8_app_runs_a_study_from_the_Hpo_package_and_the_hpo_tool_from_the_feed_reads_its_best_trial()
    {
        string project = CopyConsumer("Basic");
        await BuildAsync(project);
        string database = Path.Combine(project, "consumer.db");

        Run run = (await Dotnet.RunAsync(project, RunTimeout, Path.Combine(project, "bin", "Release", "net8.0", "Basic.dll"), database, "branin")).EnsureSuccess();

        Assert.Matches(@"runtime: \.NET 8\.", run.Output);
        Match best = BestLine().Match(run.Output);
        Assert.True(best.Success, run.Output);

        // The tool, installed from the feed as a user would (into a folder of its own), reads the study the app wrote.
        string tools = Path.Combine(feed.Root, "tools");
        (await Dotnet.RunAsync(feed.Root, BuildTimeout, "tool", "install", "Hpo.Cli", "--tool-path", tools, "--version", feed.Version, "--add-source", feed.Feed)).EnsureSuccess();
        string hpo = Path.Combine(tools, OperatingSystem.IsWindows() ? "hpo.exe" : "hpo");
        Run read = (await Dotnet.RunProgramAsync(hpo, project, RunTimeout, "best", "--storage", "sqlite:///" + database, "--study", "branin", "--format", "json")).EnsureSuccess();

        using JsonDocument json = JsonDocument.Parse(read.Output[read.Output.IndexOfAny(['{', '['])..]);
        JsonElement record = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement[0] : json.RootElement;
        Assert.Equal(int.Parse(best.Groups[1].Value, CultureInfo.InvariantCulture), record.GetProperty("number").GetInt32());
        Assert.Equal(double.Parse(best.Groups[2].Value, CultureInfo.InvariantCulture), record.GetProperty("value").GetDouble());
        Assert.Equal("branin", record.GetProperty("study").GetString());
    }

    [Fact]
    public async Task A_net8_app_tunes_MLNet_and_TorchSharp_models_with_the_packages_and_TorchSharp_cpu()
    {
        string project = CopyConsumer("MachineLearning");
        Run build = await BuildAsync(project, "-p:TorchSharpVersion=" + PackageFeed.TorchSharpVersion);

        // Hpo.TorchSharp's buildTransitive targets say what they found; on Linux they patch only an older libstdc++.
        if (OperatingSystem.IsLinux())
        {
            Assert.Matches(@"Hpo\.TorchSharp: this machine's libstdc\+\+ \(.+\) (has|lacks) GLIBCXX_3\.4\.32", build.Output);
        }

        string database = Path.Combine(project, "ml.db");
        Run run = (await Dotnet.RunAsync(project, RunTimeout, Path.Combine(project, "bin", "Release", "net8.0", "MachineLearning.dll"), database)).EnsureSuccess();

        Assert.Matches(@"runtime: \.NET 8\.", run.Output);
        Assert.Matches(@"lightgbm best trial: \d+ (0\.\d+|1)\r?\n", run.Output);
        Assert.Matches(@"torch best trial: \d+ \d+(\.\d+)?(E-?\d+)?\r?\n", run.Output);
    }

    private string CopyConsumer(string name)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Consumers", name);
        string target = Path.Combine(feed.Root, name);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }

        // The feed beside the sources the user's NuGet configuration already has (nuget.org).
        File.WriteAllText(Path.Combine(target, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="hpo-consumer-feed" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        return target;
    }

    private async Task<Run> BuildAsync(string project, params string[] properties) =>
        (await Dotnet.RunAsync(project, BuildTimeout, ["build", "-c", "Release", "-nologo", "-p:HpoVersion=" + feed.Version, .. properties])).EnsureSuccess();

    [GeneratedRegex(@"best trial: (\d+) (\S+)")]
    private static partial Regex BestLine();
}
