using Hpo.Deploy.Tests.Support;
using k8s;
using k8s.Models;

namespace Hpo.Deploy.Tests.Kubernetes;

/// <summary>Every manifest under deploy/kubernetes loads offline into typed objects, strictly (an unknown field fails).</summary>
public sealed class ManifestLoadingTests
{
    public static TheoryData<string> ManifestFiles() => new(Manifests.Files());

    [Fact]
    public void Files_DeployFolder_HoldsTheExpectedManifests()
    {
        IReadOnlyList<string> files = Manifests.Files();

        Assert.Contains("deploy/kubernetes/worker-deployment.yaml", files);
        Assert.Contains("deploy/kubernetes/worker-indexed-job.yaml", files);
        Assert.Contains("deploy/kubernetes/keda-scaledobject.yaml", files);
        Assert.Contains("deploy/kubernetes/secret.yaml", files);
        Assert.Contains("deploy/kubernetes/alternatives/hpa-cpu.yaml", files);
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void Load_EveryManifest_GivesTypedObjects(string file)
    {
        List<object> objects = Manifests.Load(file);

        Assert.NotEmpty(objects);
        foreach (object o in objects)
        {
            Assert.True(
                o is IKubernetesObject<V1ObjectMeta> or Kustomization,
                $"{file}: an object of type {o.GetType().Name} is neither a Kubernetes object nor a kustomization.");
        }
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void Load_EveryNamespacedObject_IsInTheHpoNamespace(string file)
    {
        foreach (IKubernetesObject<V1ObjectMeta> o in Manifests.Load(file).OfType<IKubernetesObject<V1ObjectMeta>>())
        {
            if (o is V1Namespace ns)
            {
                Assert.Equal("hpo", ns.Metadata.Name);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(o.Metadata?.Name), $"{file}: a {o.Kind} has no name.");
                Assert.Equal("hpo", o.Metadata!.NamespaceProperty);
            }
        }
    }

    [Fact]
    public void Load_BuiltInKinds_UseTheClientsModels()
    {
        Assert.IsType<V1Deployment>(Manifests.Load("deploy/kubernetes/worker-deployment.yaml").Single());
        Assert.IsType<V1Job>(Manifests.Load("deploy/kubernetes/worker-indexed-job.yaml").Single());
        Assert.IsType<V1Secret>(Manifests.Load("deploy/kubernetes/secret.yaml").Single());
        Assert.IsType<V2HorizontalPodAutoscaler>(Manifests.Load("deploy/kubernetes/alternatives/hpa-cpu.yaml").Single());
        List<object> keda = Manifests.Load("deploy/kubernetes/keda-scaledobject.yaml");
        Assert.Single(keda.OfType<KedaScaledObject>());
        Assert.Single(keda.OfType<KedaTriggerAuthentication>());
    }

    [Fact]
    public void Load_MisspeltFieldOfABuiltInKind_Throws()
    {
        string broken = Repository.Read("deploy/kubernetes/worker-deployment.yaml")
            .Replace("terminationGracePeriodSeconds:", "terminationGracePeriodSecond:", StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(broken, Manifests.CustomTypes, strict: true));
    }

    [Fact]
    public void Load_MisspeltFieldOfAKedaKind_Throws()
    {
        string broken = Repository.Read("deploy/kubernetes/keda-scaledobject.yaml")
            .Replace("maxReplicaCount:", "maxReplicas:", StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(broken, Manifests.CustomTypes, strict: true));
    }

    [Fact]
    public void Kustomization_Resources_ExistAndIncludeTheWorkerAndItsAutoscaler()
    {
        Kustomization k = Manifests.Single<Kustomization>("deploy/kubernetes/kustomization.yaml");

        Assert.NotNull(k.Resources);
        foreach (string resource in k.Resources)
        {
            Assert.True(File.Exists(Repository.PathOf("deploy/kubernetes/" + resource)), $"kustomization.yaml lists {resource}, which does not exist.");
        }

        Assert.Contains("worker-deployment.yaml", k.Resources);
        Assert.Contains("keda-scaledobject.yaml", k.Resources);
        Assert.Contains("secret.yaml", k.Resources);
    }
}
