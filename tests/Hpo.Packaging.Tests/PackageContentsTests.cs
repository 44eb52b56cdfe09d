using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

namespace Hpo.Packaging.Tests;

/// <summary>What each packed package holds: both library targets, the icon, its README with its install line, the tool's settings.</summary>
[Collection(PackageFeedCollection.Name)]
public sealed class PackageContentsTests(PackageFeed feed)
{
    public static TheoryData<string> Libraries { get; } = [.. PackageFeed.PackageIds.Where(id => id != "Hpo.Cli")];

    public static TheoryData<string> Packages { get; } = [.. PackageFeed.PackageIds];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void A_library_ships_its_assembly_and_documentation_for_net8_and_net10(string id)
    {
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath(id));
        HashSet<string> entries = [.. package.Entries.Select(e => e.FullName)];

        foreach (string tfm in new[] { "net8.0", "net10.0" })
        {
            Assert.Contains($"lib/{tfm}/{id}.dll", entries);
            Assert.Contains($"lib/{tfm}/{id}.xml", entries);
        }

        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && !e.StartsWith("lib/net8.0/", StringComparison.Ordinal) && !e.StartsWith("lib/net10.0/", StringComparison.Ordinal));
        XElement metadata = Metadata(package);
        string[] groups = [.. metadata.Elements().Single(e => e.Name.LocalName == "dependencies").Elements().Select(g => (string)g.Attribute("targetFramework")!)];
        Assert.Equal(["net10.0", "net8.0"], groups.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Every_package_has_the_icon_its_readme_with_its_install_line_and_the_licence(string id)
    {
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath(id));
        XElement metadata = Metadata(package);

        Assert.Equal("icon.png", Value(metadata, "icon"));
        ZipArchiveEntry icon = package.GetEntry("icon.png") ?? throw new Xunit.Sdk.XunitException($"{id} has no icon.png");
        using (Stream s = icon.Open())
        {
            byte[] signature = new byte[8];
            s.ReadExactly(signature);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a }, signature);
        }

        Assert.Equal("README.md", Value(metadata, "readme"));
        string readme = Read(package, "README.md");
        string install = id == "Hpo.Cli" ? "dotnet tool install --global Hpo.Cli" : $"dotnet add package {id}";
        Assert.Contains(install, readme, StringComparison.Ordinal);
        Assert.Equal("MIT", Value(metadata, "license"));
        Assert.Equal(feed.Version, Value(metadata, "version"));
    }

    [Fact]
    public void The_tool_package_installs_the_hpo_command_on_net10_and_rolls_forward_to_later_runtimes()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath("Hpo.Cli"));
        XElement metadata = Metadata(package);
        Assert.Equal("DotnetTool", (string?)metadata.Elements().Single(e => e.Name.LocalName == "packageTypes").Elements().Single().Attribute("name"));

        XDocument settings = XDocument.Parse(Read(package, "tools/net10.0/any/DotnetToolSettings.xml"));
        XElement command = settings.Descendants("Command").Single();
        Assert.Equal("hpo", (string?)command.Attribute("Name"));
        Assert.Equal("Hpo.Cli.dll", (string?)command.Attribute("EntryPoint"));

        using JsonDocument runtimeConfig = JsonDocument.Parse(Read(package, "tools/net10.0/any/Hpo.Cli.runtimeconfig.json"));
        Assert.Equal("Major", runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("rollForward").GetString());
    }

    [Fact]
    public void Hpo_TorchSharp_depends_on_TorchSharp_but_on_no_libtorch_and_ships_its_build_targets()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath("Hpo.TorchSharp"));
        string[] dependencies = [.. Metadata(package).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).Distinct()];

        Assert.Contains("TorchSharp", dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase) || d.StartsWith("TorchSharp-", StringComparison.OrdinalIgnoreCase));
        Assert.NotNull(package.GetEntry("buildTransitive/Hpo.TorchSharp.targets"));
        Assert.NotNull(package.GetEntry("buildTransitive/HpoPatchElfVersionNeed.cs"));
        Assert.Contains("HpoPatchLibTorchGlibcxx", Read(package, "README.md"), StringComparison.Ordinal);
    }

    private static XElement Metadata(ZipArchive package)
    {
        ZipArchiveEntry nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using Stream s = nuspec.Open();
        return XDocument.Load(s).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Value(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    private static string Read(ZipArchive package, string entry)
    {
        using var reader = new StreamReader((package.GetEntry(entry) ?? throw new Xunit.Sdk.XunitException($"no {entry} in the package")).Open());
        return reader.ReadToEnd();
    }
}
