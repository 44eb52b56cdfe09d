using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hpo.Deploy.Tests.Support;
using k8s.Models;

namespace Hpo.Deploy.Tests.Kubernetes;

/// <summary>The worker Deployment and the indexed Job: their command lines, environment, Secret references and resources.</summary>
public sealed partial class WorkerManifestTests
{
    public const string DeploymentFile = "deploy/kubernetes/worker-deployment.yaml";
    public const string JobFile = "deploy/kubernetes/worker-indexed-job.yaml";

    public static TheoryData<string> WorkerFiles() => new([DeploymentFile, JobFile]);

    public static V1PodTemplateSpec Template(string file) => file == DeploymentFile
        ? Manifests.Single<V1Deployment>(file).Spec.Template
        : Manifests.Single<V1Job>(file).Spec.Template;

    public static V1Container Worker(string file) => Assert.Single(Template(file).Spec.Containers, c => c.Name == "worker");

    /// <summary>Expands $(NAME) from the container's literal env values, as Kubernetes does (secret values stay as $(NAME)).</summary>
    public static WorkerCommandLine CommandLine(string file)
    {
        V1Container c = Worker(file);
        Assert.Null(c.Command); // the image's entrypoint, `hpo worker`, stays
        Dictionary<string, string> literal = c.Env.Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);
        return WorkerCommandLine.Parse(c.Args.Select(a => Expansion().Replace(a, m => literal.GetValueOrDefault(m.Groups[1].Value, m.Value))).ToList());
    }

    [Theory]
    [MemberData(nameof(WorkerFiles))]
    public void Args_AreAnHpoWorkerCommandLine(string file)
    {
        WorkerCommandLine line = CommandLine(file);

        Assert.False(line.Values.ContainsKey("--storage"), $"{file}: the storage URL must come from HPO_STORAGE, not the command line (visible in /proc/PID/cmdline).");
        Assert.Equal("distributed-demo", line.Study);
        Assert.True(line.Values.ContainsKey("--command"));
    }

    [Theory]
    [MemberData(nameof(WorkerFiles))]
    public void Args_Expansions_ReferToTheContainersEnv(string file)
    {
        V1Container c = Worker(file);
        var names = c.Env.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);

        List<string> used = c.Args.SelectMany(a => Expansion().Matches(a)).Select(m => m.Groups[1].Value).ToList();

        Assert.DoesNotContain("HPO_STORAGE", used);
        Assert.Contains("HPO_STUDY", used);
        Assert.All(used, name => Assert.True(names.Contains(name), $"{file}: $({name}) is used in args but not defined in env."));
    }

    [Theory]
    [MemberData(nameof(WorkerFiles))]
    public void Env_SecretReferences_NameTheSecretsKeys(string file)
    {
        V1Secret secret = Manifests.Single<V1Secret>("deploy/kubernetes/secret.yaml");
        var keys = (secret.StringData?.Keys ?? []).Concat(secret.Data?.Keys ?? []).ToHashSet(StringComparer.Ordinal);
        List<V1SecretKeySelector> refs = Worker(file).Env.Select(e => e.ValueFrom?.SecretKeyRef).OfType<V1SecretKeySelector>().ToList();

        Assert.NotEmpty(refs);
        Assert.All(refs, r =>
        {
            Assert.Equal(secret.Metadata.Name, r.Name);
            Assert.Contains(r.Key, keys);
        });
        Assert.Equal("url", Worker(file).Env.Single(e => e.Name == "HPO_STORAGE").ValueFrom.SecretKeyRef.Key);
    }

    [Fact]
    public void Secret_Url_IsAPostgreSqlUrlHpoReads()
    {
        V1Secret secret = Manifests.Single<V1Secret>("deploy/kubernetes/secret.yaml");

        string url = secret.StringData["url"];

        Assert.True(Hpo.PostgreSql.PostgreSqlUrl.IsUrl(url));
        Assert.Contains("Database=hpo", Hpo.PostgreSql.PostgreSqlUrl.ToConnectionString(url), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WorkerFiles))]
    public void Resources_RequestsAndLimits_AreSetAndLimitsCoverRequests(string file)
    {
        V1ResourceRequirements r = Worker(file).Resources;

        foreach (string resource in new[] { "cpu", "memory" })
        {
            Assert.True(r.Requests.ContainsKey(resource), $"{file}: no {resource} request.");
            Assert.True(r.Limits.ContainsKey(resource), $"{file}: no {resource} limit.");
            Assert.True(r.Limits[resource].ToDecimal() >= r.Requests[resource].ToDecimal(), $"{file}: the {resource} limit is below the request.");
            Assert.True(r.Requests[resource].ToDecimal() > 0);
        }
    }

    [Theory]
    [MemberData(nameof(WorkerFiles))]
    public void TerminationGracePeriod_EqualsTheSystemdUnitsStopTimeout(string file)
    {
        long? grace = Template(file).Spec.TerminationGracePeriodSeconds;

        Assert.NotNull(grace);
        Assert.True(grace >= 30, "The worker needs time to stop its trial (5 s grace) and hand it back.");
        Assert.Equal(SystemdUnit.Load().Single("Service", "TimeoutStopSec"), grace.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(WorkerFiles))]
    public void Pod_RunsAsNonRoot(string file)
    {
        V1PodSecurityContext s = Template(file).Spec.SecurityContext;

        Assert.True(s.RunAsNonRoot);
        Assert.NotEqual(0, s.RunAsUser);
        Assert.False(Worker(file).SecurityContext.AllowPrivilegeEscalation);
    }

    [Theory]
    [MemberData(nameof(WorkerFiles))]
    public void Command_RunsTheProgramTheTrialImagePublishes(string file)
    {
        // trial.Dockerfile publishes samples/Distributed/TrialProgram into /opt/trial; the assembly is named after the project.
        string project = "samples/Distributed/TrialProgram/Distributed.TrialProgram.csproj";
        Assert.True(File.Exists(Repository.PathOf(project)));
        string assembly = XDocument.Load(Repository.PathOf(project)).Descendants("AssemblyName").SingleOrDefault()?.Value
            ?? Path.GetFileNameWithoutExtension(project);

        Assert.Equal($"dotnet /opt/trial/{assembly}.dll", CommandLine(file).Values["--command"]);
        Assert.Contains($"/opt/trial/{assembly}.dll", Repository.Read("deploy/docker/trial.Dockerfile"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WorkerFiles))]
    public void Scratch_TmpDirIsAWritableVolume(string file)
    {
        V1Container c = Worker(file);
        string tmp = c.Env.Single(e => e.Name == "TMPDIR").Value;

        V1VolumeMount mount = Assert.Single(c.VolumeMounts, m => m.MountPath == tmp);
        Assert.NotEqual(true, mount.ReadOnlyProperty);
        Assert.Contains(Template(file).Spec.Volumes, v => v.Name == mount.Name && v.EmptyDir is not null);
    }

    [Fact]
    public void Job_IsIndexedAndIgnoresDisruptions()
    {
        V1Job job = Manifests.Single<V1Job>(JobFile);

        Assert.Equal("Indexed", job.Spec.CompletionMode);
        Assert.Equal(job.Spec.Completions, job.Spec.Parallelism);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.Contains(job.Spec.PodFailurePolicy.Rules, r => r.Action == "Ignore" && r.OnPodConditions.Any(c => c.Type == "DisruptionTarget"));
        Assert.Contains(job.Spec.PodFailurePolicy.Rules, r => r.Action == "FailJob" && r.OnExitCodes.Values.Contains(2));
    }

    [Fact]
    public void Deployment_SelectorMatchesItsPods()
    {
        V1Deployment d = Manifests.Single<V1Deployment>(DeploymentFile);

        Assert.All(d.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, d.Spec.Template.Metadata.Labels[l.Key]));
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Expansion();
}
