using Hpo.Deploy.Tests.Support;

namespace Hpo.Deploy.Tests.Vm;

/// <summary>deploy/vm/hpo-worker.service: the keys that make a VM worker stop gracefully and restart only on failure.</summary>
public sealed class SystemdUnitTests
{
    private readonly SystemdUnit unit = SystemdUnit.Load();

    [Fact]
    public void Sections_AreUnitServiceAndInstall()
    {
        Assert.Equal(["Unit", "Service", "Install"], unit.Sections);
    }

    [Theory]
    [InlineData("Restart", "on-failure")]
    [InlineData("KillSignal", "SIGTERM")]
    [InlineData("KillMode", "mixed")]
    [InlineData("User", "hpo")]
    [InlineData("EnvironmentFile", "/etc/hpo/worker.env")]
    public void Service_Key_HasTheRequiredValue(string key, string expected)
    {
        Assert.Equal(expected, unit.Single("Service", key));
    }

    [Fact]
    public void TimeoutStopSec_IsTheKubernetesGracePeriod()
    {
        long grace = Manifests.Single<k8s.Models.V1Deployment>("deploy/kubernetes/worker-deployment.yaml").Spec.Template.Spec.TerminationGracePeriodSeconds!.Value;

        Assert.Equal(grace, long.Parse(unit.Single("Service", "TimeoutStopSec"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ExecStart_IsAnHpoWorkerCommandLine()
    {
        IReadOnlyList<string> words = SystemdUnit.SplitCommand(unit.Single("Service", "ExecStart"));

        Assert.Equal("/usr/local/bin/hpo", words[0]);
        Assert.Equal("worker", words[1]);
        WorkerCommandLine line = WorkerCommandLine.Parse(words.Skip(2).ToList());
        Assert.False(line.Values.ContainsKey("--storage"), "The storage URL must come from HPO_STORAGE in the environment file, not the command line.");
        Assert.Equal("${HPO_STUDY}", line.Study);
    }

    [Fact]
    public void ExecStart_Variables_AreSetByTheCloudInitEnvironmentFile()
    {
        IReadOnlyDictionary<string, string> env = CloudInitTests.WorkerEnvironment();
        var used = System.Text.RegularExpressions.Regex.Matches(unit.Single("Service", "ExecStart"), @"\$\{([A-Z_]+)\}").Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(env.ContainsKey(name), $"ExecStart uses ${{{name}}}, which /etc/hpo/worker.env does not set."));
    }

    [Fact]
    public void Install_WantedByMultiUser()
    {
        Assert.Equal("multi-user.target", unit.Single("Install", "WantedBy"));
    }

    [Fact]
    public void Parse_LineOutsideASection_Throws()
    {
        Assert.Throws<FormatException>(() => SystemdUnit.Parse("Restart=on-failure\n[Service]\n"));
    }
}
