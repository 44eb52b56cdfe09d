using Hpo.Deploy.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Hpo.Deploy.Tests.Vm;

/// <summary>deploy/vm/cloud-init.yaml: valid cloud-config that installs the worker, writes its settings and starts the unit.</summary>
public sealed class CloudInitTests
{
    public const string File = "deploy/vm/cloud-init.yaml";

    public static YamlMappingNode Root()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Repository.Read(File));
        stream.Load(reader);
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    public static YamlMappingNode WriteFile(string path) =>
        Assert.Single(((YamlSequenceNode)Root()["write_files"]).Children.Cast<YamlMappingNode>(), f => ((YamlScalarNode)f["path"]).Value == path);

    public static string Content(string path) => ((YamlScalarNode)WriteFile(path)["content"]).Value!;

    /// <summary>Gets the variables of /etc/hpo/worker.env as cloud-init writes it.</summary>
    public static IReadOnlyDictionary<string, string> WorkerEnvironment() =>
        Content("/etc/hpo/worker.env").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    [Fact]
    public void File_StartsWithCloudConfig()
    {
        Assert.StartsWith("#cloud-config\n", Repository.Read(File), StringComparison.Ordinal);
    }

    [Fact]
    public void Root_IsAMappingOfKnownModules()
    {
        string[] keys = Root().Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToArray();

        Assert.Equal(["package_update", "packages", "users", "write_files", "runcmd"], keys);
    }

    [Fact]
    public void UnitFile_IsTheRepositorysUnitVerbatim()
    {
        Assert.Equal(Repository.Read(SystemdUnit.File), Content("/etc/systemd/system/hpo-worker.service"));
    }

    [Fact]
    public void WorkerEnvironment_IsPrivateAndNamesStorageAndStudy()
    {
        Assert.Equal("0600", ((YamlScalarNode)WriteFile("/etc/hpo/worker.env")["permissions"]).Value);
        IReadOnlyDictionary<string, string> env = WorkerEnvironment();

        Assert.StartsWith("postgresql://", env["HPO_STORAGE"], StringComparison.Ordinal);
        Assert.Equal(Kubernetes.WorkerManifestTests.CommandLine(Kubernetes.WorkerManifestTests.DeploymentFile).Study, env["HPO_STUDY"]);
        Assert.True(int.Parse(env["HPO_CONCURRENCY"], System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public void RunCmd_InstallsThenEnablesAndStartsTheUnit()
    {
        List<string> commands = ((YamlSequenceNode)Root()["runcmd"]).Children
            .Select(c => string.Join(' ', ((YamlSequenceNode)c).Children.Select(w => ((YamlScalarNode)w).Value)))
            .ToList();

        Assert.Equal(["/usr/local/sbin/hpo-install", "systemctl daemon-reload", "systemctl enable --now hpo-worker.service"], commands);
        Assert.Contains("/usr/local/bin/hpo", Content("/usr/local/sbin/hpo-install"), StringComparison.Ordinal);
    }

    [Fact]
    public void Users_CreatesTheUnitsUserAndKeepsTheDefaultOne()
    {
        string user = SystemdUnit.Load().Single("Service", "User");

        IList<YamlNode> users = ((YamlSequenceNode)Root()["users"]).Children;

        Assert.Contains(users.OfType<YamlMappingNode>(), u => ((YamlScalarNode)u["name"]).Value == user);
        Assert.Contains(users.OfType<YamlScalarNode>(), u => u.Value == "default"); // without it cloud-init drops the image's login user
    }
}
