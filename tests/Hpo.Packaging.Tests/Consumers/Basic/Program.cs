// Runs a study of its own objective on SQLite and prints the best trial: the smallest program a user writes with Hpo.
// Usage: Basic <sqlite-file> <study-name>
using System.Globalization;
using System.Runtime.InteropServices;
using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Registries;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Basic <sqlite-file> <study-name>");
    return 2;
}

SearchSpace space = new SearchSpaceBuilder()
    .AddFloat("x", -5, 10)
    .AddFloat("y", 0, 15)
    .AddCategorical("shift", "none", "half")
    .Build();

await using IStudyStorage storage = StorageRegistry.Default.Open("sqlite:///" + Path.GetFullPath(args[0]));
Study study = await Study.CreateOrLoadAsync(storage, args[1], space, new StudyOptions { Budget = 16, Seed = 7 });
await study.OptimizeAsync(new Branin());

TrialRecord best = await study.GetBestTrialAsync() ?? throw new InvalidOperationException("no complete trial");
Console.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}");
Console.WriteLine($"best trial: {best.Number} {best.Value?.ToString("R", CultureInfo.InvariantCulture)}");
return 0;

/// <summary>The consumer's own objective: the Branin function, optionally shifted.</summary>
internal sealed class Branin : IObjective
{
    public ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken)
    {
        double x = trial.Get<double>("x");
        double y = trial.Get<double>("y");
        double shift = trial.Get<string>("shift") == "half" ? 0.5 : 0;
        double a = y - (5.1 / (4 * Math.PI * Math.PI) * x * x) + (5 / Math.PI * x) - 6;
        return ValueTask.FromResult<ObjectiveResult>((a * a) + (10 * (1 - (1 / (8 * Math.PI))) * Math.Cos(x)) + 10 + shift);
    }
}
