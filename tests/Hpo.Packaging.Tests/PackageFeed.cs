using System.Globalization;
using System.Reflection;
using System.Security;
using System.Text.RegularExpressions;

namespace Hpo.Packaging.Tests;

/// <summary>
/// Every package of src/ packed once into a temporary folder feed, from the solution's Release build (no build here), under
/// a version of its own (the repository's version with a unique prerelease suffix) so that a package cached by an earlier
/// run is never restored instead. Removes the feed and those cached versions at the end.
/// </summary>
public sealed partial class PackageFeed : IAsyncLifetime
{
    /// <summary>The packages that must be packed: every project under src/.</summary>
    public static readonly string[] PackageIds =
        ["Hpo", "Hpo.PostgreSql", "Hpo.MLNet", "Hpo.TorchSharp", "Hpo.Serving", "Hpo.Visualization", "Hpo.Dashboard", "Hpo.Hosting", "Hpo.Cli"];

    /// <summary>Gets the repository's root folder.</summary>
    public static string RepositoryRoot { get; } =
        typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>Gets the folder that holds this run's feed, consumers and tools.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "hpo-consumer-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Gets the feed folder.</summary>
    public string Feed => Path.Combine(Root, "feed");

    /// <summary>Gets the version the packages were packed with.</summary>
    public string Version { get; } = RepositoryVersion() + "-consumer." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)
        + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets TorchSharp's version from the central package versions.</summary>
    public static string TorchSharpVersion { get; } = CentralVersion("TorchSharp");

    /// <summary>Gets what packing printed.</summary>
    public string PackOutput { get; private set; } = string.Empty;

    /// <summary>Gets the path of a packed package.</summary>
    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        string[] projects = PackageIds.Select(id => Path.Combine(RepositoryRoot, "src", id, id + ".csproj")).ToArray();
        string packAll = Path.Combine(Root, "pack-all.proj");

        // One MSBuild run packs them all, as 'dotnet pack --no-build -c Release' would each.
        await File.WriteAllTextAsync(packAll, $"""
            <Project>
              <ItemGroup>
            {string.Concat(projects.Select(p => $"    <HpoPackage Include=\"{SecurityElement.Escape(p)}\" />\n"))}  </ItemGroup>
              <Target Name="Build">
                <MSBuild Projects="@(HpoPackage)" Targets="Pack" Properties="Configuration=Release;NoBuild=true;_IsPacking=true;PackageVersion={Version};PackageOutputPath={SecurityElement.Escape(Feed)}/" />
              </Target>
            </Project>
            """);
        // 'dotnet test Hpo.sln' starts this project's tests as soon as it is built, which can be before the solution's build of the
        // packages' projects has written every output: while the pack names outputs not found yet, wait for that build (bounded).
        Run pack = await Dotnet.RunAsync(Root, TimeSpan.FromMinutes(10), "msbuild", packAll, "-nologo", "-v:m");
        for (int attempt = 1; attempt <= 20 && pack.ExitCode != 0 && IsOutputMissing(pack.Output); attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(15));
            pack = await Dotnet.RunAsync(Root, TimeSpan.FromMinutes(10), "msbuild", packAll, "-nologo", "-v:m");
        }

        PackOutput = pack.Output;
        Assert.True(pack.ExitCode == 0,
            $"Packing failed (it needs the Release build of the solution: 'dotnet build Hpo.sln -c Release', which 'dotnet test Hpo.sln -c Release' does):\n{pack.Output}");
    }

    private static bool IsOutputMissing(string output) =>
        output.Contains("NU5026", StringComparison.Ordinal) || output.Contains("MSB3030", StringComparison.Ordinal);

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        TryDelete(Root);
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in PackageIds)
        {
            TryDelete(Path.Combine(packages, id.ToLowerInvariant(), Version.ToLowerInvariant()));
        }

        return Task.CompletedTask;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open (a test host's log): the temporary folder goes with the machine.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string RepositoryVersion()
    {
        string props = File.ReadAllText(Path.Combine(RepositoryRoot, "src", "Directory.Build.props"));
        return VersionElement().Match(props) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("src/Directory.Build.props has no <Version>.");
    }

    private static string CentralVersion(string id)
    {
        string props = File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Packages.props"));
        Match m = Regex.Match(props, $"<PackageVersion Include=\"{Regex.Escape(id)}\" Version=\"([^\"]+)\"");
        return m.Success ? m.Groups[1].Value : throw new InvalidOperationException($"Directory.Packages.props has no version of {id}.");
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionElement();
}
