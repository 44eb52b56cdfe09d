using Hpo.Execution.ChildProcess;
using Hpo.Execution.Container;
using Hpo.Tests.Execution.ChildProcess;

namespace Hpo.Tests.Execution.Container;

public sealed class ContainerExecutorOptionsTests
{
    private static ContainerExecutorOptions Valid() => new() { Image = "registry.example.com/team/train:1.4" };

    [Fact]
    public void Constructor_ValidOptions_DoesNotThrow()
    {
        ContainerExecutorOptions options = Valid();
        options.Cpus = 1.5;
        options.Memory = "512m";
        options.Gpus = "all";
        options.Mounts.Add(new ContainerMount("/srv/data", "/data"));

        _ = new ContainerExecutor(options);
    }

    public static TheoryData<string, Action<ContainerExecutorOptions>> Invalid => new()
    {
        { "Image must name", o => o.Image = " " },
        { "Image must be an image name", o => o.Image = "--privileged" },
        { "Cli must name", o => o.Cli = "" },
        { "Cpus must be a positive number, but got 0", o => o.Cpus = 0 },
        { "Memory must be a number of bytes", o => o.Memory = "lots" },
        { "Gpus must be a GPU request", o => o.Gpus = "all --privileged" },
        { "PullPolicy must be", o => o.PullPolicy = (ContainerPullPolicy)7 },
        { "NamePrefix must be", o => o.NamePrefix = "-x" },
        { "GracePeriod must be between", o => o.GracePeriod = TimeSpan.FromSeconds(-1) },
        { "ContainerArtifactsPath must be an absolute path", o => o.ContainerArtifactsPath = "relative" },
        { "the target is the artifacts path", o => o.Mounts.Add(new ContainerMount("/srv", "/hpo/artifacts/")) },
        { "neither empty nor holding ':'", o => o.Mounts.Add(new ContainerMount("/srv:/x", "/data")) },
        { "unknown placeholder '{nope}'", o => o.Command = ["train", "{nope}"] },
        { "Environment variable names", o => o.Environment["A=B"] = "x" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Constructor_InvalidOption_ThrowsNamingTheProblem(string expected, Action<ContainerExecutorOptions> spoil)
    {
        ContainerExecutorOptions options = Valid();
        spoil(options);

        ArgumentException e = Assert.Throws<ArgumentException>(() => new ContainerExecutor(options));

        Assert.Contains("'ContainerExecutorOptions' are invalid", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunArguments_EveryOption_BuildsTheRunCommandWithVariablesByNameOnly()
    {
        ContainerExecutorOptions options = Valid();
        options.GlobalArguments.Add("--runtime");
        options.GlobalArguments.Add("runc");
        options.RunArguments.Add("--network");
        options.RunArguments.Add("none");
        options.Cpus = 2;
        options.Memory = "4g";
        options.Gpus = "all";
        options.Devices.Add("nvidia.com/gpu=all");
        options.PullPolicy = ContainerPullPolicy.Always;
        options.Init = true;
        options.Mounts.Add(new ContainerMount("/srv/data", "/data"));
        options.Mounts.Add(new ContainerMount("cache", "/cache", ReadOnly: false));
        options.Environment["SECRET_TOKEN"] = "do-not-show";
        options.Command = ["python", "train.py", "--lr={param:x}", "--out={artifacts_dir}"];
        var trial = new FakeTrial(TrialPrograms.Space, new Dictionary<string, object> { ["x"] = 0.5, ["layers"] = 2L, ["optimizer"] = "adam" }) { Number = 4, StudyName = "s" };
        var files = new TrialFiles(trial, "/tmp/a/s/trial-4", "{}", "{}");

        List<string> arguments = ContainerExecutor.RunArguments(options, files, "hpo-s-4-x");

        Assert.Equal(["--runtime", "runc", "run", "--rm", "--name", "hpo-s-4-x", "--label", "hpo.study=s", "--label", "hpo.trial=4", "--pull=always", "--init", "--cpus=2", "--memory=4g", "--gpus", "all", "--device", "nvidia.com/gpu=all"], arguments[..18]);
        Assert.Equal(["--cap-drop=ALL", "--security-opt=no-new-privileges", "--pids-limit=4096"], arguments[18..21]); // --network is the user's
        Assert.Equal(["--volume", "/tmp/a/s/trial-4:/hpo/artifacts:rw", "--volume", "/srv/data:/data:ro", "--volume", "cache:/cache:rw"], arguments[21..27]);
        Assert.Contains("SECRET_TOKEN", arguments);
        Assert.Contains("HPO_PARAMETERS", arguments);
        Assert.DoesNotContain(arguments, a => a.Contains("do-not-show", StringComparison.Ordinal));
        Assert.Equal(["--network", "none", options.Image, "python", "train.py", "--lr=0.5", "--out=/hpo/artifacts"], arguments[^7..]);
    }

    [Fact]
    public void RunArguments_Defaults_HardenTheContainer()
    {
        ContainerExecutorOptions options = Valid();
        var trial = new FakeTrial(TrialPrograms.Space, new Dictionary<string, object> { ["x"] = 0.5, ["layers"] = 2L, ["optimizer"] = "adam" }) { Number = 4, StudyName = "s" };

        List<string> arguments = ContainerExecutor.RunArguments(options, new TrialFiles(trial, "/tmp/a/s/trial-4", "{}", "{}"), "hpo-s-4-x");

        Assert.Contains("--network=none", arguments);
        Assert.Contains("--cap-drop=ALL", arguments);
        Assert.Contains("--security-opt=no-new-privileges", arguments);
        Assert.Contains("--pids-limit=4096", arguments);
        Assert.DoesNotContain(arguments, a => a.StartsWith("--user", StringComparison.Ordinal));
    }

    [Fact]
    public void RunArguments_HardeningOverriddenByOptionsOrRunArguments_UsesTheUsersChoice()
    {
        ContainerExecutorOptions options = Valid();
        options.Network = "bridge";
        options.DropCapabilities = false;
        options.NoNewPrivileges = false;
        options.PidsLimit = null;
        options.User = "1000:1000";
        options.RunArguments.Add("--network=host");
        var trial = new FakeTrial(TrialPrograms.Space, new Dictionary<string, object> { ["x"] = 0.5, ["layers"] = 2L, ["optimizer"] = "adam" }) { Number = 4, StudyName = "s" };

        List<string> arguments = ContainerExecutor.RunArguments(options, new TrialFiles(trial, "/tmp/a/s/trial-4", "{}", "{}"), "hpo-s-4-x");

        Assert.DoesNotContain(arguments, a => a.StartsWith("--network=bridge", StringComparison.Ordinal) || a.StartsWith("--cap-drop", StringComparison.Ordinal) || a.StartsWith("--security-opt", StringComparison.Ordinal) || a.StartsWith("--pids-limit", StringComparison.Ordinal));
        Assert.Contains("--network=host", arguments);
        Assert.Contains("--user=1000:1000", arguments);
    }

    [Theory]
    [InlineData("/tmp/a:b")]
    [InlineData("/tmp/a,b")]
    [InlineData(" ")]
    public void Validate_ArtifactsRootThatCannotBeMounted_NamesIt(string root)
    {
        ContainerExecutorOptions options = Valid();
        options.ArtifactsRoot = root;

        ArgumentException e = Assert.Throws<ArgumentException>(() => new ContainerExecutor(options));

        Assert.Contains("ArtifactsRoot must be a path without ':' or ','", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerName_LongOddStudyName_ValidBoundedAndDistinct()
    {
        string a = ContainerExecutor.ContainerName("hpo", "/my study: " + new string('x', 100), 12);
        string b = ContainerExecutor.ContainerName("hpo", "/my study: " + new string('x', 100), 12);

        Assert.Matches("^hpo-my_study__x{30}-12-[0-9a-f]{8}$", a);
        Assert.NotEqual(a, b);
    }
}
