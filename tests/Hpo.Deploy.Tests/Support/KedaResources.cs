using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Hpo.Deploy.Tests.Support;

// KEDA's custom resources (keda.sh/v1alpha1), modelled with the fields deploy/kubernetes uses and the others KEDA 2.x defines
// next to them, so that the strict loader rejects a misspelt field. Written from KEDA's documented CRD fields.

/// <summary>A KEDA ScaledObject: scales a workload on external metrics.</summary>
[KubernetesEntity(Group = "keda.sh", ApiVersion = "v1alpha1", Kind = "ScaledObject", PluralName = "scaledobjects")]
public sealed class KedaScaledObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public KedaScaledObjectSpec? Spec { get; set; }
}

public sealed class KedaScaledObjectSpec
{
    [JsonPropertyName("scaleTargetRef")]
    public KedaScaleTarget? ScaleTargetRef { get; set; }

    [JsonPropertyName("pollingInterval")]
    public int? PollingInterval { get; set; }

    [JsonPropertyName("cooldownPeriod")]
    public int? CooldownPeriod { get; set; }

    [JsonPropertyName("initialCooldownPeriod")]
    public int? InitialCooldownPeriod { get; set; }

    [JsonPropertyName("idleReplicaCount")]
    public int? IdleReplicaCount { get; set; }

    [JsonPropertyName("minReplicaCount")]
    public int? MinReplicaCount { get; set; }

    [JsonPropertyName("maxReplicaCount")]
    public int? MaxReplicaCount { get; set; }

    [JsonPropertyName("advanced")]
    public KedaAdvanced? Advanced { get; set; }

    [JsonPropertyName("triggers")]
    public IList<KedaTrigger>? Triggers { get; set; }
}

public sealed class KedaScaleTarget
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("envSourceContainerName")]
    public string? EnvSourceContainerName { get; set; }
}

public sealed class KedaAdvanced
{
    [JsonPropertyName("restoreToOriginalReplicaCount")]
    public bool? RestoreToOriginalReplicaCount { get; set; }

    [JsonPropertyName("horizontalPodAutoscalerConfig")]
    public KedaHpaConfig? HorizontalPodAutoscalerConfig { get; set; }
}

public sealed class KedaHpaConfig
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("behavior")]
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}

public sealed class KedaTrigger
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("metricType")]
    public string? MetricType { get; set; }

    [JsonPropertyName("useCachedMetrics")]
    public bool? UseCachedMetrics { get; set; }

    [JsonPropertyName("metadata")]
    public IDictionary<string, string>? Metadata { get; set; }

    [JsonPropertyName("authenticationRef")]
    public KedaAuthenticationRef? AuthenticationRef { get; set; }
}

public sealed class KedaAuthenticationRef
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }
}

/// <summary>A KEDA TriggerAuthentication: where a trigger's secrets come from.</summary>
[KubernetesEntity(Group = "keda.sh", ApiVersion = "v1alpha1", Kind = "TriggerAuthentication", PluralName = "triggerauthentications")]
public sealed class KedaTriggerAuthentication : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public KedaTriggerAuthenticationSpec? Spec { get; set; }
}

public sealed class KedaTriggerAuthenticationSpec
{
    [JsonPropertyName("secretTargetRef")]
    public IList<KedaSecretTarget>? SecretTargetRef { get; set; }

    [JsonPropertyName("env")]
    public IList<KedaEnvTarget>? Env { get; set; }
}

public sealed class KedaSecretTarget
{
    [JsonPropertyName("parameter")]
    public string? Parameter { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("key")]
    public string? Key { get; set; }
}

public sealed class KedaEnvTarget
{
    [JsonPropertyName("parameter")]
    public string? Parameter { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("containerName")]
    public string? ContainerName { get; set; }
}

/// <summary>A kustomization file (kustomize.config.k8s.io/v1beta1), with the one field deploy/kubernetes uses.</summary>
public sealed class Kustomization
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("resources")]
    public IList<string>? Resources { get; set; }

    [JsonPropertyName("configMapGenerator")]
    public IList<KustomizeConfigMap>? ConfigMapGenerator { get; set; }

    [JsonPropertyName("generatorOptions")]
    public KustomizeGeneratorOptions? GeneratorOptions { get; set; }
}

/// <summary>One entry of a kustomization's configMapGenerator.</summary>
public sealed class KustomizeConfigMap
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("files")]
    public IList<string>? Files { get; set; }
}

/// <summary>A kustomization's generatorOptions.</summary>
public sealed class KustomizeGeneratorOptions
{
    [JsonPropertyName("disableNameSuffixHash")]
    public bool DisableNameSuffixHash { get; set; }
}
