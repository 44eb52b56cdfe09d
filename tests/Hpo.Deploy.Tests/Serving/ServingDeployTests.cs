using System.Diagnostics;
using System.Text.RegularExpressions;
using Hpo.Deploy.Tests.Support;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Hpo.Deploy.Tests.Serving;

/// <summary>
/// The elastic serving recipes: the Kubernetes Deployment, Service and HPA of `hpo serve`, the model sync script (run for
/// real against a fake object store), and the VM recipe (cloud-init and systemd units).
/// </summary>
public sealed partial class ServingDeployTests
{
    private const string Folder = "deploy/kubernetes/serving";
    private const string DeploymentFile = Folder + "/serving-deployment.yaml";
    private const string VolumeFile = "deploy/kubernetes/alternatives/serving-volume.yaml";
    private const string ScriptFile = Folder + "/sync-models.sh";
    private const string CloudInitFile = "deploy/vm/serving-cloud-init.yaml";
    private const string ServeUnitFile = "deploy/vm/hpo-serve.service";
    private const string SyncUnitFile = "deploy/vm/hpo-sync-models.service";

    public static TheoryData<string> DeploymentFiles() => new([DeploymentFile, VolumeFile]);

    /// <summary>Gets the options `hpo serve` accepts, from its source (the names and whether they take a value).</summary>
    private static HashSet<string> ServeOptions() =>
        [.. OptionName().Matches(Repository.Read("src/Hpo.Cli/Commands/ServeCommand.cs")).Select(m => m.Groups[1].Value), "--format"];

    private static Dictionary<string, string> ParseServe(IReadOnlyList<string> args)
    {
        HashSet<string> known = ServeOptions();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i += 2)
        {
            Assert.True(known.Contains(args[i]), $"'{args[i]}' is not an option of hpo serve ({string.Join(", ", known)}).");
            Assert.True(i + 1 < args.Count, $"{args[i]} has no value.");
            Assert.True(values.TryAdd(args[i], args[i + 1]), $"{args[i]} is given twice.");
        }

        Assert.Contains("--model-base-path", values.Keys);
        return values;
    }

    private static V1Deployment Deployment(string file) => Manifests.Single<V1Deployment>(file);

    private static V1Container Server(string file) => Assert.Single(Deployment(file).Spec.Template.Spec.Containers, c => c.Name == "server");

    [Theory]
    [MemberData(nameof(DeploymentFiles))]
    public void The_server_runs_hpo_serve_on_the_mounted_repository_with_ports_and_probes_that_match(string file)
    {
        V1Container server = Server(file);
        Assert.Null(server.Command); // the image's entrypoint, `hpo serve`, stays
        Dictionary<string, string> options = ParseServe(server.Args.ToList());

        V1VolumeMount models = Assert.Single(server.VolumeMounts, m => m.MountPath == options["--model-base-path"]);
        Assert.True(models.ReadOnlyProperty, "the server only reads the repository");
        Assert.Contains(Deployment(file).Spec.Template.Spec.Volumes, v => v.Name == models.Name);

        int http = server.Ports.Single(p => p.Name == "http").ContainerPort;
        int grpc = server.Ports.Single(p => p.Name == "grpc").ContainerPort;
        Assert.Equal($"http://0.0.0.0:{http}", options["--urls"]);
        Assert.Equal(grpc.ToString(System.Globalization.CultureInfo.InvariantCulture), options["--grpc-port"]);
        Assert.Equal("/readyz", server.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", server.LivenessProbe.HttpGet.Path);
        Assert.Equal("http", server.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal("http", server.LivenessProbe.HttpGet.Port.Value);
        Assert.True(server.Resources.Requests.ContainsKey("cpu"), "the HPA scales on CPU utilization, which needs a CPU request");
        Assert.True(Deployment(file).Spec.Template.Spec.SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public void The_init_container_and_the_sidecar_sync_into_the_servers_volume_with_the_repositorys_script()
    {
        V1PodSpec pod = Deployment(DeploymentFile).Spec.Template.Spec;
        V1Container pull = Assert.Single(pod.InitContainers, c => c.Name == "pull-models");
        V1Container sidecar = Assert.Single(pod.InitContainers, c => c.Name == "sync-models");
        Assert.Equal("1", pull.Env.Single(e => e.Name == "ONCE").Value);
        Assert.Null(pull.RestartPolicy);
        Assert.Equal("Always", sidecar.RestartPolicy); // a native sidecar: keeps syncing beside the server
        string modelsVolume = Server(DeploymentFile).VolumeMounts.Single(m => m.ReadOnlyProperty == true).Name;

        Kustomization kustomization = Manifests.Single<Kustomization>(Folder + "/kustomization.yaml");
        KustomizeConfigMap generated = Assert.Single(kustomization.ConfigMapGenerator!);
        Assert.Equal(["sync-models.sh"], generated.Files);
        Assert.True(kustomization.GeneratorOptions!.DisableNameSuffixHash, "the Deployment names the ConfigMap without kustomize's hash");
        foreach (string resource in kustomization.Resources!)
        {
            Assert.True(File.Exists(Repository.PathOf(Folder + "/" + resource)), $"kustomization.yaml lists {resource}, which does not exist.");
        }

        V1Secret secret = Manifests.Single<V1Secret>(Folder + "/models-bucket-secret.yaml");
        foreach (V1Container sync in new[] { pull, sidecar })
        {
            Assert.Equal(["/bin/sh", "/opt/sync/sync-models.sh"], sync.Command);
            V1VolumeMount script = Assert.Single(sync.VolumeMounts, m => m.MountPath == "/opt/sync");
            Assert.Equal(generated.Name, pod.Volumes.Single(v => v.Name == script.Name).ConfigMap.Name);
            V1VolumeMount target = Assert.Single(sync.VolumeMounts, m => m.Name == modelsVolume);
            Assert.Equal(target.MountPath, sync.Env.Single(e => e.Name == "MODELS_DIR").Value);
            Assert.Equal(secret.Metadata.Name, Assert.Single(sync.EnvFrom).SecretRef.Name);
        }

        Assert.Contains("MODELS_URL", secret.StringData.Keys);
        Assert.Contains("SYNC_ARGS", secret.StringData.Keys);
    }

    [Fact]
    public void The_service_and_the_autoscaler_point_at_the_deployment()
    {
        V1Deployment deployment = Deployment(DeploymentFile);
        V1Service service = Manifests.Single<V1Service>(Folder + "/serving-service.yaml");
        V2HorizontalPodAutoscaler hpa = Manifests.Single<V2HorizontalPodAutoscaler>(Folder + "/serving-hpa.yaml");

        Assert.All(service.Spec.Selector, s => Assert.Equal(s.Value, deployment.Spec.Template.Metadata.Labels[s.Key]));
        HashSet<string> portNames = [.. Server(DeploymentFile).Ports.Select(p => p.Name)];
        Assert.All(service.Spec.Ports, p => Assert.Contains(p.TargetPort.Value, portNames));
        Assert.Equal(deployment.Metadata.Name, hpa.Spec.ScaleTargetRef.Name);
        Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
        Assert.True(hpa.Spec.MinReplicas >= 1 && hpa.Spec.MinReplicas <= hpa.Spec.MaxReplicas);
        Assert.Equal(deployment.Metadata.NamespaceProperty, service.Metadata.NamespaceProperty);
        Assert.Equal(deployment.Metadata.NamespaceProperty, hpa.Metadata.NamespaceProperty);
    }

    [Fact]
    public void The_sync_script_moves_complete_versions_into_place_skips_unfinished_ones_and_drops_removed_ones()
    {
        string root = Path.Combine(Path.GetTempPath(), "hpo-deploy-sync", Guid.NewGuid().ToString("N"));
        string bucket = Path.Combine(root, "bucket", "models");
        string models = Path.Combine(root, "models");
        string bin = Path.Combine(root, "bin");
        try
        {
            Directory.CreateDirectory(bin);
            Write(Path.Combine(bucket, "iris", "1", "manifest.json"), "{}");
            Write(Path.Combine(bucket, "iris", "1", "model.zip"), "one");
            Write(Path.Combine(bucket, "iris", "2", "model.zip"), "two, still uploading"); // no manifest yet
            Write(Path.Combine(bucket, "iris", "tmp", "x"), "not a version");
            Write(Path.Combine(models, "iris", "7", "manifest.json"), "{}"); // gone from the bucket
            FakeAws(Path.Combine(bin, "aws"), Path.Combine(root, "bucket"));

            RunSync(bin, models, root);
            Assert.Equal("one", File.ReadAllText(Path.Combine(models, "iris", "1", "model.zip")));
            Assert.False(Directory.Exists(Path.Combine(models, "iris", "2")), "a version without its manifest is not taken yet");
            Assert.False(Directory.Exists(Path.Combine(models, "iris", "7")), "a version removed from the bucket is removed");
            Assert.False(Directory.Exists(Path.Combine(models, "iris", "tmp")));

            Write(Path.Combine(bucket, "iris", "2", "manifest.json"), "{}");
            Write(Path.Combine(bucket, "iris", "1", "model.zip"), "changed"); // versions are immutable: never rewritten
            RunSync(bin, models, root);
            Assert.Equal("two, still uploading", File.ReadAllText(Path.Combine(models, "iris", "2", "model.zip")));
            Assert.Equal("one", File.ReadAllText(Path.Combine(models, "iris", "1", "model.zip")));
            Assert.Empty(Directory.EnumerateDirectories(Path.Combine(models, "iris"), ".*"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_vm_recipe_installs_the_repositorys_script_and_units_verbatim_and_starts_both()
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(Repository.Read(CloudInitFile)))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        Dictionary<string, string> files = ((YamlSequenceNode)root["write_files"]).Children.Cast<YamlMappingNode>()
            .ToDictionary(f => ((YamlScalarNode)f["path"]).Value!, f => ((YamlScalarNode)f["content"]).Value!);
        Assert.Equal(Repository.Read(ScriptFile), files["/usr/local/sbin/hpo-sync-models"]);
        Assert.Equal(Repository.Read(SyncUnitFile), files["/etc/systemd/system/hpo-sync-models.service"]);
        Assert.Equal(Repository.Read(ServeUnitFile), files["/etc/systemd/system/hpo-serve.service"]);
        Assert.Contains("MODELS_URL=", files["/etc/hpo/serving.env"], StringComparison.Ordinal);
        List<string> runcmd = [.. ((YamlSequenceNode)root["runcmd"]).Children.Select(c => string.Join(' ', ((YamlSequenceNode)c).Children.Select(w => ((YamlScalarNode)w).Value)))];
        Assert.Equal("systemctl enable --now hpo-sync-models.service hpo-serve.service", runcmd[^1]);

        SystemdUnit serve = SystemdUnit.Parse(Repository.Read(ServeUnitFile));
        IReadOnlyList<string> exec = SystemdUnit.SplitCommand(serve.Single("Service", "ExecStart"));
        Assert.Equal(["/usr/local/bin/hpo", "serve"], exec.Take(2));
        Dictionary<string, string> options = ParseServe([.. exec.Skip(2)]);
        SystemdUnit sync = SystemdUnit.Parse(Repository.Read(SyncUnitFile));
        Assert.Contains($"MODELS_DIR={options["--model-base-path"]}", sync.Single("Service", "Environment"), StringComparison.Ordinal);
        Assert.Contains($"MODELS_DIR={options["--model-base-path"]}", serve.Single("Service", "Environment"), StringComparison.Ordinal);
        Assert.Equal(serve.Single("Service", "User"), sync.Single("Service", "User"));
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>An `aws` that answers `s3 ls` and `s3 cp --recursive` from a local folder standing for s3://bucket.</summary>
    private static void FakeAws(string path, string bucketRoot)
    {
        File.WriteAllText(path, $$"""
            #!/bin/sh
            set -eu
            root='{{bucketRoot}}'
            [ "$1" = s3 ] || exit 2
            op=$2; shift 2
            args=""
            for a in "$@"; do case "$a" in --*) ;; *) args="$args $a" ;; esac; done
            set -- $args
            local_of() { echo "$root/${1#s3://bucket/}"; }
            case "$op" in
              ls)
                p=$(local_of "$1")
                if [ -f "$p" ]; then echo "2026-01-01 00:00:00 2 $(basename "$p")"; exit 0; fi
                [ -d "$p" ] || exit 1
                for e in "$p"/*; do [ -d "$e" ] && echo "                           PRE $(basename "$e")/"; done
                exit 0 ;;
              cp)
                mkdir -p "$2"; cp -R "$(local_of "$1")". "$2" ;;
              *) exit 2 ;;
            esac
            """.Replace("\r", string.Empty, StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void RunSync(string bin, string models, string workingDirectory)
    {
        var start = new ProcessStartInfo("sh", [Repository.PathOf(ScriptFile)]) { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["MODELS_URL"] = "s3://bucket/models";
        start.Environment["MODELS_DIR"] = models;
        start.Environment["SYNC_ARGS"] = string.Empty;
        start.Environment["ONCE"] = "1";
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "the sync script did not finish");
        Assert.True(process.ExitCode == 0, $"sync-models.sh exited {process.ExitCode}: {output}");
    }

    [GeneratedRegex("new\\(\"(--[a-z-]+)\", \"[A-Z]+\"")]
    private static partial Regex OptionName();
}

/// <summary>deploy/loadtest/predict.jmx: a JMeter plan that loads the REST predict endpoint on loopback, bounded in time.</summary>
public sealed class JMeterPlanTests
{
    [Fact]
    public void The_plan_posts_a_valid_predict_body_to_loopback_for_a_bounded_time()
    {
        System.Xml.Linq.XDocument plan = System.Xml.Linq.XDocument.Parse(Repository.Read("deploy/loadtest/predict.jmx"));
        string Prop(string name) => plan.Descendants().Single(e => (string?)e.Attribute("name") == name).Value;

        Assert.Equal("POST", Prop("HTTPSampler.method"));
        Assert.Equal("/v1/models/${__P(model,iris)}:predict", Prop("HTTPSampler.path"));
        Assert.Equal("${__P(host,127.0.0.1)}", Prop("HTTPSampler.domain"));
        Assert.Equal("true", Prop("ThreadGroup.scheduler"));
        Assert.Equal("${__P(duration,20)}", Prop("ThreadGroup.duration"));
        Assert.Equal("-1", Prop("LoopController.loops"));
        Assert.Equal("application/json", Prop("Header.value"));

        // The default body, as JMeter's __P gives it (commas escaped for the function call).
        string body = Prop("Argument.value");
        Assert.StartsWith("${__P(body,", body, StringComparison.Ordinal);
        string json = body["${__P(body,".Length..^2].Replace("\\,", ",", StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(4, document.RootElement.GetProperty("instances")[0].GetArrayLength());
    }
}
