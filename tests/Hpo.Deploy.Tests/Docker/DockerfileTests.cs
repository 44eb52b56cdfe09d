using System.Text.RegularExpressions;
using Hpo.Deploy.Tests.Support;

namespace Hpo.Deploy.Tests.Docker;

/// <summary>The Dockerfiles: every file they copy from the build context and every project they publish exists in the repository.</summary>
public sealed partial class DockerfileTests
{
    public const string Worker = "deploy/docker/worker.Dockerfile";
    public const string Trial = "deploy/docker/trial.Dockerfile";
    public const string Serving = "deploy/docker/serving.Dockerfile";

    public static TheoryData<string> Dockerfiles() => new([Worker, Trial, Serving]);

    /// <summary>Gets the instructions, continuation lines joined and comments dropped.</summary>
    public static IReadOnlyList<string> Instructions(string file) =>
        Regex.Replace(Repository.Read(file), @"\\\r?\n", " ")
            .Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Copy_SourcesFromTheContext_ExistInTheRepository(string file)
    {
        var copies = Instructions(file).Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && !i.Contains("--from=", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(copies);
        foreach (string copy in copies)
        {
            string[] words = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
            foreach (string source in words[..^1])
            {
                Assert.True(
                    File.Exists(Repository.PathOf(source)) || Directory.Exists(Repository.PathOf(source.TrimEnd('/'))),
                    $"{file}: '{copy}' copies {source}, which is not in the repository.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Publish_ProjectsExistAndAreCopiedFirst(string file)
    {
        IReadOnlyList<string> instructions = Instructions(file);
        List<Match> publishes = instructions.SelectMany(i => PublishedProject().Matches(i)).ToList();

        Assert.NotEmpty(publishes);
        foreach (Match m in publishes)
        {
            string project = m.Groups[1].Value;
            Assert.True(File.Exists(Repository.PathOf(project)), $"{file} publishes {project}, which does not exist.");
            string folder = project[..(project.LastIndexOf('/') + 1)];
            Assert.Contains(instructions, i => i.StartsWith("COPY " + folder + " ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Copy_ProjectReferencesOfThePublishedProject_AreCopied(string file)
    {
        IReadOnlyList<string> instructions = Instructions(file);
        string project = PublishedProject().Match(string.Join('\n', instructions)).Groups[1].Value;

        foreach (string reference in ProjectClosure(project))
        {
            string folder = reference[..(reference.LastIndexOf('/') + 1)];
            Assert.True(
                instructions.Any(i => i.StartsWith("COPY " + folder + " ", StringComparison.Ordinal)),
                $"{file} publishes {project}, which needs {reference}, but does not copy {folder}.");
        }
    }

    [Fact]
    public void DockerIgnore_KeepsLocalBuildOutputOutOfTheContext()
    {
        string[] patterns = Repository.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

        // The Dockerfiles copy whole project folders: without these, a developer's bin/ and obj/ (with host paths in
        // project.assets.json) would go into the build.
        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        Assert.Contains("**/*.db", patterns);
    }

    [Fact]
    public void Worker_RunsHpoWorkerAsANonRootUser()
    {
        IReadOnlyList<string> instructions = Instructions(Worker);
        int lastFrom = instructions.ToList().FindLastIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal));
        List<string> final = instructions.Skip(lastFrom).ToList();

        Assert.Contains("ENTRYPOINT [\"hpo\", \"worker\"]", final);
        Assert.Contains(final, i => i.StartsWith("USER ", StringComparison.Ordinal) && i != "USER root" && i != "USER 0");
        // The tool includes `hpo serve` and `hpo dashboard` (ASP.NET Core), so it starts only on the ASP.NET Core runtime.
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:", final[0], StringComparison.Ordinal);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:", instructions.First(i => i.StartsWith("FROM ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Serving_RunsHpoServeWithLibTorchAsANonRootUserOnEveryInterfaceOfTheContainer()
    {
        IReadOnlyList<string> instructions = Instructions(Serving);
        int lastFrom = instructions.ToList().FindLastIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal));
        List<string> final = instructions.Skip(lastFrom).ToList();

        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:", final[0], StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"hpo\", \"serve\"]", final);
        Assert.Contains(final, i => i.StartsWith("USER ", StringComparison.Ordinal) && i != "USER root" && i != "USER 0");
        Assert.Contains(final, i => i.StartsWith("CMD [\"--model-base-path\", \"/models\", \"--urls\", \"http://0.0.0.0:8501\", \"--grpc-port\", \"8500\"", StringComparison.Ordinal));
        Assert.Contains(final, i => i.StartsWith("EXPOSE 8501 8500", StringComparison.Ordinal));
        Assert.Contains(instructions, i => i.Contains("-p:HpoWithLibTorch=true", StringComparison.Ordinal));
        Assert.Contains(final, i => i.Contains("libgomp1", StringComparison.Ordinal)); // LightGbm's OpenMP runtime
    }

    [Fact]
    public void Trial_DefaultTargetRunsTheTrialProgramAsANonRootUser()
    {
        IReadOnlyList<string> instructions = Instructions(Trial);
        int lastFrom = instructions.ToList().FindLastIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal));
        List<string> final = instructions.Skip(lastFrom).ToList();

        Assert.EndsWith(" AS trial", final[0], StringComparison.Ordinal);
        Assert.Contains(final, i => i.StartsWith("USER ", StringComparison.Ordinal) && i != "USER root");
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/opt/trial/Distributed.TrialProgram.dll\"]", final);
        Assert.Contains(instructions, i => i.StartsWith("FROM ${WORKER_IMAGE} AS worker", StringComparison.Ordinal));
    }

    /// <summary>Gets a project's project references, recursively, relative to the repository's root.</summary>
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([project]);
        while (queue.TryDequeue(out string? current))
        {
            string folder = Path.GetDirectoryName(Repository.PathOf(current))!;
            foreach (Match m in ProjectReference().Matches(File.ReadAllText(Repository.PathOf(current))))
            {
                string full = Path.GetFullPath(Path.Combine(folder, m.Groups[1].Value.Replace('\\', '/')));
                if (!File.Exists(full))
                {
                    continue; // a conditional reference to a project that is not there (Hpo.Cli's optional Hpo.PostgreSql)
                }

                string relative = Path.GetRelativePath(Repository.Root, full).Replace(Path.DirectorySeparatorChar, '/');
                if (seen.Add(relative))
                {
                    queue.Enqueue(relative);
                    yield return relative;
                }
            }
        }
    }

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")]
    private static partial Regex PublishedProject();

    [GeneratedRegex("<ProjectReference Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();
}
