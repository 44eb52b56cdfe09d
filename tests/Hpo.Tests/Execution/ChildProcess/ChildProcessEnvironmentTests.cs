using Hpo.Execution;
using Hpo.Execution.ChildProcess;
using Hpo.SearchSpaces;

namespace Hpo.Tests.Execution.ChildProcess;

/// <summary>
/// A trial program gets an explicit environment: an allow list of this process's variables, what the user adds, and the protocol's.
/// The worker's storage URL (HPO_STORAGE) and any other secret of its environment never reach it, nor its log stored with the trial.
/// </summary>
public sealed class ChildProcessEnvironmentTests : IDisposable
{
    private const string Storage = "HPO_STORAGE";
    private static readonly string Secret = "HPO_TEST_SECRET_" + Guid.NewGuid().ToString("N")[..8];
    private static readonly string Allowed = "HPO_TEST_ALLOWED_" + Guid.NewGuid().ToString("N")[..8];
    private readonly ArtifactRoots roots = new();

    public ChildProcessEnvironmentTests()
    {
        Environment.SetEnvironmentVariable(Storage, "postgresql://hpo:worker-password@db/studies");
        Environment.SetEnvironmentVariable(Secret, "cloud-token");
        Environment.SetEnvironmentVariable(Allowed, "allowed-value");
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Storage, null);
        Environment.SetEnvironmentVariable(Secret, null);
        Environment.SetEnvironmentVariable(Allowed, null);
        roots.DeleteAll();
    }

    private static async Task<(TrialOutcome Outcome, Dictionary<string, string> Environment, string LogTail)> RunAsync(ChildProcessExecutorOptions options)
    {
        var trial = new FakeTrial(TrialPrograms.Space, new Dictionary<string, object> { ["x"] = 0.5, ["layers"] = 2L, ["optimizer"] = "adam" });
        await using var executor = new ChildProcessExecutor(options);
        TrialOutcome outcome = await executor.ExecuteAsync(new TrialRequest(trial), CancellationToken.None);
        string file = Path.Combine(trial.UserAttributes[TrialProtocol.ArtifactsDirectoryAttribute], "env.txt");
        var variables = File.ReadAllLines(file).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        return (outcome, variables, trial.UserAttributes[TrialProtocol.LogTailAttribute]);
    }

    private const string Script = "env > \"$HPO_ARTIFACTS_DIR/env.txt\"; env; echo 'hpo:result 1'";

    [Fact]
    public async Task ExecuteAsync_Defaults_NoStorageUrlNoSecretButPathAndProtocol()
    {
        (TrialOutcome outcome, Dictionary<string, string> env, string log) = await RunAsync(TrialPrograms.Shell(roots, Script));

        Assert.Equal(TrialOutcomeKind.Completed, outcome.Kind);
        Assert.DoesNotContain(Storage, env.Keys);
        Assert.DoesNotContain(Secret, env.Keys);
        Assert.DoesNotContain(Allowed, env.Keys);
        Assert.DoesNotContain("worker-password", log, StringComparison.Ordinal);
        Assert.DoesNotContain("cloud-token", log, StringComparison.Ordinal);
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), env["PATH"]);
        Assert.True(env.ContainsKey(TrialProtocol.TrialNumberVariable));
        Assert.Equal("1", env[TrialProtocol.VersionVariable]);
    }

    [Fact]
    public async Task ExecuteAsync_UserAllowsAVariableAndAddsOne_TheProgramGetsBothAndStillNoStorageUrl()
    {
        ChildProcessExecutorOptions options = TrialPrograms.Shell(roots, Script);
        options.InheritedVariables.Add(Allowed);
        options.Environment["EXTRA"] = "given";

        (_, Dictionary<string, string> env, _) = await RunAsync(options);

        Assert.Equal("allowed-value", env[Allowed]);
        Assert.Equal("given", env["EXTRA"]);
        Assert.DoesNotContain(Storage, env.Keys);
    }

    [Fact]
    public async Task ExecuteAsync_PrefixPattern_InheritsEveryMatchingVariable()
    {
        ChildProcessExecutorOptions options = TrialPrograms.Shell(roots, Script);
        options.InheritedVariables.Add("HPO_TEST_ALLOWED_*");

        (_, Dictionary<string, string> env, _) = await RunAsync(options);

        Assert.Equal("allowed-value", env[Allowed]);
        Assert.DoesNotContain(Secret, env.Keys);
    }

    [Theory]
    [InlineData("")]
    [InlineData("A=B")]
    [InlineData("A*B")]
    public void Constructor_InvalidInheritedVariable_ThrowsNamingIt(string name)
    {
        ChildProcessExecutorOptions options = TrialPrograms.Shell(roots, "true");
        options.InheritedVariables.Add(name);

        ArgumentException e = Assert.Throws<ArgumentException>(() => new ChildProcessExecutor(options));

        Assert.Contains("InheritedVariables", e.Message, StringComparison.Ordinal);
    }
}
