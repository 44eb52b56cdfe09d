using System.Reflection;
using Hpo.Deploy.Tests.Support;
using Hpo.Execution;
using Hpo.Execution.ChildProcess;
using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Deploy.Tests.Docker;

/// <summary>
/// The training program the images ship (samples/Distributed/TrialProgram, published by trial.Dockerfile) speaks the trial
/// protocol: run by the child-process executor, as `hpo worker --command` runs it in a pod, it reports every epoch and completes
/// with the synthetic loss of the parameters it was given.
/// </summary>
public sealed class TrialProgramTests : IDisposable
{
    private readonly string artifacts = Path.Combine(Path.GetTempPath(), "hpo-deploy-tests-" + Guid.NewGuid().ToString("N")[..12]);

    private static string TrialProgram => typeof(TrialProgramTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TrialProgram").Value!;

    public void Dispose()
    {
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }

    [Fact]
    public async Task TrialProgram_RunAsChildProcesses_CompletesWithTheLossOfItsParameters()
    {
        SearchSpace space = SearchSpace.FromJson(Repository.Read("samples/Distributed/space.json"));
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "trial-image", space, new StudyOptions { Budget = 2 });
        await study.EnqueueAsync(new Dictionary<string, object> { ["x"] = 1.0, ["y"] = -2.0 });
        await study.EnqueueAsync(new Dictionary<string, object> { ["x"] = -3.0, ["y"] = 4.0 });
        await using var executor = new ChildProcessExecutor(new ChildProcessExecutorOptions { Command = ["dotnet", TrialProgram], ArtifactsRoot = artifacts });

        OptimizeResult result = await study.OptimizeAsync(executor.AsObjective(), new OptimizeOptions { Concurrency = 2 });

        Assert.Equal(2, result.Counts.Complete);
        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        TrialRecord best = Assert.Single(trials, t => (double)t.Parameters["x"] == 1.0);
        TrialRecord other = Assert.Single(trials, t => (double)t.Parameters["x"] == -3.0);
        Assert.Equal(0.0, best.Value!.Value, 12);
        Assert.Equal(52.0, other.Value!.Value, 12);
        Assert.All(trials, t =>
        {
            Assert.Equal([1L, 2, 3, 4, 5], t.IntermediateValues.Keys);
            Assert.True(t.IntermediateValues[1] > t.IntermediateValues[5], "The loss falls as the epochs go by.");
            Assert.Equal(Environment.MachineName, t.UserAttributes["host"]);
        });
    }
}
