using System.Globalization;
using Hpo.MLNet.Objectives;
using Hpo.MLNet.Trainers;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Samples.Iris;

/// <summary>What the sample prints: the study it runs, one table row per finished trial, and the best trial.</summary>
internal static class ConsoleReport
{
    // The table's parameter columns: search-space name and header.
    private static readonly (string Name, string Header)[] Columns =
    [
        (LightGbmSearchSpace.LearningRate, "learning_rate"),
        (LightGbmSearchSpace.NumberOfLeaves, "leaves"),
        (LightGbmSearchSpace.MinimumExampleCountPerLeaf, "min_per_leaf"),
        (LightGbmSearchSpace.NumberOfIterations, "rounds"),
        (LightGbmSearchSpace.L2Regularization, "l2"),
    ];

    public static void Start(Study study, CommandLine options, TrialCounts counts, int budget, int toGo)
    {
        Console.WriteLine($"Storage: {Hpo.Storage.StudyStorage.Redact(options.Storage)}");
        if (!study.IsResumed)
        {
            Console.WriteLine($"Created study '{study.Name}': tuner '{study.Tuner.Name}', {budget} trials, 5-fold cross-validated accuracy (maximize).");
            return;
        }

        if (!string.Equals(study.Tuner.Name, options.Tuner, StringComparison.OrdinalIgnoreCase))
        {
            Console.WriteLine($"Note: study '{study.Name}' was created with tuner '{study.Tuner.Name}' and keeps it (--tuner {options.Tuner} is ignored).");
        }

        if (options.TrialsGiven && options.Trials != budget)
        {
            Console.WriteLine($"Note: study '{study.Name}' keeps the budget of {budget} trials it was created with (--trials {options.Trials} is ignored); pass --study NAME for a new study.");
        }

        Console.WriteLine(toGo > 0
            ? $"Resuming study '{study.Name}': {counts.Finished} trials finished, {toGo} to go."
            : $"Study '{study.Name}' has already spent its budget: {counts.Finished} of {budget} trials finished. Delete the database or pass --study NAME to start a new study.");
    }

    public static void TableHeader()
    {
        Console.WriteLine();
        Console.WriteLine($"{"trial",5}  {"accuracy",8}  {"best",13}  " + string.Join("  ", Columns.Select(c => $"{c.Header,13}")));
    }

    public static ValueTask TrialFinished(TrialFinishedArguments args)
    {
        TrialRecord trial = args.Trial;
        string result = trial.State switch
        {
            TrialState.Complete => $"{trial.Value,8:0.0000}",
            TrialState.Failed => "  failed",
            _ => $"{trial.State,8}",
        };
        string best = args.BestTrial is { Value: double v } b ? $"{v:0.0000} (#{b.Number})" : "-";
        string parameters = string.Join("  ", Columns.Select(c => $"{Format(trial.Parameters.GetValueOrDefault(c.Name)),13}"));
        Console.WriteLine($"{trial.Number,5}  {result}  {best,13}  {parameters}");
        if (trial.FailReason is { } reason)
        {
            Console.WriteLine($"       {reason}");
        }

        return ValueTask.CompletedTask;
    }

    public static void Best(TrialRecord? best, TrialCounts counts, CommandLine options)
    {
        Console.WriteLine();
        if (best is null)
        {
            Console.WriteLine($"No trial has completed yet ({counts}).");
            return;
        }

        string macro = best.UserAttributes.TryGetValue(MulticlassCrossValidationObjective.MacroAccuracyAttribute, out string? m)
            ? $", macro accuracy {double.Parse(m, CultureInfo.InvariantCulture):0.0000}"
            : string.Empty;
        Console.WriteLine($"Best trial: #{best.Number} of {counts.Finished}, accuracy {best.Value:0.0000}{macro} (5-fold cross-validation).");
        foreach ((string name, object value) in best.Parameters.OrderBy(p => Array.FindIndex(Columns, c => c.Name == p.Key)))
        {
            Console.WriteLine($"  {name,-32} {Format(value)}");
        }

        Console.WriteLine($"Trials: {counts}. The study is kept in {Hpo.Storage.StudyStorage.Redact(options.Storage)}.");
    }

    private static string Format(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-",
    };
}
