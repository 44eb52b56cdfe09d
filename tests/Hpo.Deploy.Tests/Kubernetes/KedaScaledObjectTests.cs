using System.Globalization;
using System.Text.RegularExpressions;
using Hpo.Deploy.Tests.Support;
using k8s.Models;

namespace Hpo.Deploy.Tests.Kubernetes;

/// <summary>The KEDA ScaledObject and TriggerAuthentication: required fields and references to the Deployment and the Secret.</summary>
public sealed partial class KedaScaledObjectTests
{
    public const string File = "deploy/kubernetes/keda-scaledobject.yaml";

    public static KedaScaledObject ScaledObject => Manifests.Single<KedaScaledObject>(File);

    public static KedaTriggerAuthentication TriggerAuthentication => Manifests.Single<KedaTriggerAuthentication>(File);

    /// <summary>Gets a trigger's query by its name.</summary>
    public static string Query(string triggerName) =>
        ScaledObject.Spec!.Triggers!.Single(t => t.Name == triggerName).Metadata!["query"];

    [Fact]
    public void ScaleTargetRef_NamesTheWorkerDeployment()
    {
        V1Deployment deployment = Manifests.Single<V1Deployment>(WorkerManifestTests.DeploymentFile);
        KedaScaleTarget target = ScaledObject.Spec!.ScaleTargetRef!;

        Assert.Equal(deployment.Metadata.Name, target.Name);
        Assert.Equal(deployment.ApiVersion, target.ApiVersion ?? "apps/v1");
        Assert.Equal(deployment.Kind, target.Kind ?? "Deployment");
        Assert.Equal(deployment.Metadata.NamespaceProperty, ScaledObject.Metadata.NamespaceProperty);
    }

    [Fact]
    public void ReplicaCounts_AreSetAndOrdered()
    {
        KedaScaledObjectSpec spec = ScaledObject.Spec!;

        Assert.NotNull(spec.MinReplicaCount);
        Assert.NotNull(spec.MaxReplicaCount);
        Assert.InRange(spec.MinReplicaCount.Value, 0, spec.MaxReplicaCount.Value);
        Assert.True(spec.MaxReplicaCount >= 1);
    }

    [Fact]
    public void Triggers_ArePostgreSqlQueriesWithATarget()
    {
        IList<KedaTrigger> triggers = ScaledObject.Spec!.Triggers!;

        Assert.Contains(triggers, t => t.Name == "waiting-and-running");
        Assert.All(triggers, t =>
        {
            Assert.Equal("postgresql", t.Type);
            Assert.StartsWith("SELECT ", t.Metadata!["query"], StringComparison.Ordinal);
            Assert.True(double.Parse(t.Metadata["targetQueryValue"], CultureInfo.InvariantCulture) > 0);
            Assert.Equal(TriggerAuthentication.Metadata.Name, t.AuthenticationRef!.Name);
        });
        Assert.Equal(triggers.Count, triggers.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void TargetQueryValue_EqualsTheWorkersConcurrency()
    {
        int concurrency = WorkerManifestTests.CommandLine(WorkerManifestTests.DeploymentFile).Concurrency;

        Assert.All(ScaledObject.Spec!.Triggers!, t => Assert.Equal(concurrency, int.Parse(t.Metadata!["targetQueryValue"], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Queries_NameTheDeploymentsStudy()
    {
        string study = WorkerManifestTests.CommandLine(WorkerManifestTests.DeploymentFile).Study;

        Assert.All(ScaledObject.Spec!.Triggers!, t =>
        {
            List<string> names = StudyName().Matches(t.Metadata!["query"]).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal([study], names);
        });
    }

    [Fact]
    public void TriggerAuthentication_TakesTheConnectionFromTheSecretsUrl()
    {
        V1Secret secret = Manifests.Single<V1Secret>("deploy/kubernetes/secret.yaml");

        KedaSecretTarget target = Assert.Single(TriggerAuthentication.Spec!.SecretTargetRef!);

        Assert.Equal("connection", target.Parameter);
        Assert.Equal(secret.Metadata.Name, target.Name);
        Assert.Contains(target.Key!, secret.StringData.Keys);
        Assert.Equal(secret.Metadata.NamespaceProperty, TriggerAuthentication.Metadata.NamespaceProperty);
    }

    [Fact]
    public void CpuAutoscaler_ScalesTheWorkerDeployment()
    {
        V2HorizontalPodAutoscaler hpa = Manifests.Single<V2HorizontalPodAutoscaler>("deploy/kubernetes/alternatives/hpa-cpu.yaml");
        V1Deployment deployment = Manifests.Single<V1Deployment>(WorkerManifestTests.DeploymentFile);

        Assert.Equal(deployment.Metadata.Name, hpa.Spec.ScaleTargetRef.Name);
        Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
        Assert.InRange(hpa.Spec.MinReplicas ?? 1, 1, hpa.Spec.MaxReplicas);
        Assert.Contains(hpa.Spec.Metrics, m => m.Resource?.Name == "cpu");
        Assert.NotNull(deployment.Spec.Template.Spec.Containers.Single().Resources.Requests["cpu"]);
    }

    [GeneratedRegex(@"\bname = '([^']*)'")]
    private static partial Regex StudyName();
}
