using k8s;

namespace Hpo.Deploy.Tests.Support;

/// <summary>Loads deploy/kubernetes offline into typed objects: built-in kinds through the client's models, KEDA's through a type map.</summary>
public static class Manifests
{
    public const string Folder = "deploy/kubernetes";

    /// <summary>Gets the custom kinds, keyed "apiVersion/kind" as the loader expects.</summary>
    public static readonly Dictionary<string, Type> CustomTypes = new(StringComparer.Ordinal)
    {
        ["keda.sh/v1alpha1/ScaledObject"] = typeof(KedaScaledObject),
        ["keda.sh/v1alpha1/TriggerAuthentication"] = typeof(KedaTriggerAuthentication),
        ["kustomize.config.k8s.io/v1beta1/Kustomization"] = typeof(Kustomization),
    };

    private static readonly Lazy<IReadOnlyList<LoadedObject>> All = new(() =>
        Files().SelectMany(file => Load(file).Select(o => new LoadedObject(file, o))).ToList());

    /// <summary>Gets every YAML file under deploy/kubernetes, relative to the repository's root, sorted.</summary>
    public static IReadOnlyList<string> Files() =>
        Directory.EnumerateFiles(Repository.PathOf(Folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repository.Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Loads one file strictly (an unknown field is an error).</summary>
    public static List<object> Load(string relativePath) => KubernetesYaml.LoadAllFromString(Repository.Read(relativePath), CustomTypes, strict: true);

    /// <summary>Gets every object of every file.</summary>
    public static IReadOnlyList<LoadedObject> Objects => All.Value;

    /// <summary>Gets the one object of a type in a file.</summary>
    public static T Single<T>(string relativePath) => Objects.Where(o => o.File == relativePath).Select(o => o.Object).OfType<T>().Single();
}

/// <summary>One object of a manifest file.</summary>
public sealed record LoadedObject(string File, object Object);
