using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Cli.Tests;

/// <summary>
/// A real SQLite file with two studies, made through the API: <c>demo</c> (minimize, budget 20, seed 7) with trials in every
/// state — three complete (0.5, 0.25, 0.75), one pruned (last value 0.9), one failed with a reason full of commas, quotes and
/// a line break, one running and one waiting — and <c>empty</c> (maximize, no budget, no trials). Shared by a test class.
/// </summary>
public sealed class DemoDatabase : IAsyncLifetime
{
    public const string Demo = "demo";
    public const string Empty = "empty";
    public const string FailReason = "boom, \"bad\" input\nsecond line";
    public const string RunningOwner = "worker-a";

    public DemoDatabase()
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hpo-cli-tests");
        Directory.CreateDirectory(folder);
        Path = System.IO.Path.Combine(folder, $"{Guid.NewGuid():N}.db");
    }

    public string Path { get; }

    /// <summary>Gets the absolute storage URL (four slashes).</summary>
    public string Url => "sqlite:///" + Path;

    public static SearchSpace Space { get; } = new SearchSpaceBuilder()
        .AddFloat("lr", 1e-5, 1e-1, log: true)
        .AddInt("layers", 1, 4)
        .AddCategorical("optimizer", "sgd", "adam")
        .AddFloat("beta1", 0.8, 0.999, condition: ParameterCondition.When("optimizer", "adam"))
        .Build();

    /// <summary>Gets the trials of <c>demo</c> as the API reads them after the set-up.</summary>
    public IReadOnlyList<TrialRecord> Trials { get; private set; } = [];

    /// <summary>Gets the best trial of <c>demo</c> as the API reads it.</summary>
    public TrialRecord Best { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await using IStudyStorage storage = StorageRegistry.Default.Open(Url);
        Study study = await Study.CreateAsync(storage, Demo, Space, new StudyOptions { Direction = StudyDirection.Minimize, Budget = 20, Seed = 7 });
        await TellAsync(study, 0.5);
        await TellAsync(study, 0.25);
        ITrial pruned = await study.AskAsync();
        await study.TellAsync(pruned.Number, ObjectiveResult.Pruned(0.9));
        ITrial failed = await study.AskAsync();
        await study.TellFailedAsync(failed.Number, FailReason, new InvalidOperationException(FailReason));
        await TellAsync(study, 0.75);

        // A trial another worker is running, and a warm-start point nobody has claimed yet.
        TrialRecord running = (await storage.StartTrialAsync(study.Record.Id, RunningOwner, default))!;
        await storage.SetTrialParametersAsync(running.Id, new Dictionary<string, object> { ["lr"] = 0.01, ["layers"] = 2L, ["optimizer"] = "sgd" }, default);
        await study.EnqueueAsync(new Dictionary<string, object> { ["lr"] = 0.001, ["layers"] = 3L, ["optimizer"] = "adam", ["beta1"] = 0.9 });

        await Study.CreateAsync(storage, Empty, Space, new StudyOptions { Direction = StudyDirection.Maximize, Seed = 1 });
        Trials = await study.GetTrialsAsync();
        Best = (await study.GetBestTrialAsync())!;
    }

    public Task DisposeAsync()
    {
        foreach (string suffix in new[] { string.Empty, "-wal", "-shm", "-journal" })
        {
            try
            {
                File.Delete(Path + suffix);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }

        return Task.CompletedTask;
    }

    private static async Task TellAsync(Study study, double value)
    {
        ITrial trial = await study.AskAsync();
        await study.TellAsync(trial, value);
    }
}
