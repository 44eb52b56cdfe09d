using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Cli.Commands;

/// <summary>The output fields the commands share: a study's row, counts by state, a trial's parameters (the study look-up is <c>StorageOpener.FindStudyAsync</c>).</summary>
internal static class StudyFields
{
    /// <summary>The fields of <see cref="Study"/>, for the header of an empty list.</summary>
    public static readonly IReadOnlyList<string> StudyColumns = ["name", "direction", "tuner", "budget", "waiting", "running", "complete", "pruned", "failed", "stale", "best", "created"];

    /// <summary>Describes a study: name, direction, tuner, budget, counts by state, best value and creation time.</summary>
    /// <param name="study">The study.</param>
    /// <param name="counts">Its trial counts.</param>
    /// <param name="best">Its best trial, if any.</param>
    /// <returns>The record.</returns>
    public static OutputRecord Study(StudyRecord study, TrialCounts counts, TrialRecord? best)
    {
        List<OutputField> fields =
        [
            new("name", study.Name),
            new("direction", Direction(study.Definition.Direction)),
            new("tuner", study.Definition.TunerName),
            new("budget", study.Definition.Budget),
            .. Counts(counts),
            new("best", best?.Value),
            new("created", study.CreatedAt),
        ];
        return new OutputRecord(fields);
    }

    /// <summary>Gets one field per trial state, in life-cycle order.</summary>
    /// <param name="counts">The counts.</param>
    /// <returns>The fields <c>waiting</c>, <c>running</c>, <c>complete</c>, <c>pruned</c>, <c>failed</c>, <c>stale</c>.</returns>
    /// <remarks>The single place that maps <see cref="TrialCounts"/> to output: a new state is added here.</remarks>
    public static IEnumerable<OutputField> Counts(TrialCounts counts) =>
    [
        new(State(TrialState.Waiting), counts.Waiting),
        new(State(TrialState.Running), counts.Running),
        new(State(TrialState.Complete), counts.Complete),
        new(State(TrialState.Pruned), counts.Pruned),
        new(State(TrialState.Failed), counts.Failed),
        new(State(TrialState.Stale), counts.Stale),
    ];

    /// <summary>Gets a trial's parameters as a nested record, in the search space's order.</summary>
    /// <param name="study">The trial's study.</param>
    /// <param name="trial">The trial.</param>
    /// <returns>The parameters.</returns>
    public static OutputRecord Parameters(StudyRecord study, TrialRecord trial)
    {
        var space = study.Definition.SearchSpace;
        return new OutputRecord([.. trial.Parameters
            .OrderBy(p => space.IndexOf(p.Key) is int i and >= 0 ? i : int.MaxValue)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new OutputField(p.Key, p.Value))]);
    }

    /// <summary>Gets the lower-case name of a state, as the output writes it and <c>--state</c> reads it.</summary>
    /// <param name="state">The state.</param>
    /// <returns>For example <c>complete</c>.</returns>
    public static string State(TrialState state) => Lower(state.ToString());

    /// <summary>Gets the lower-case name of a direction.</summary>
    /// <param name="direction">The direction.</param>
    /// <returns><c>minimize</c> or <c>maximize</c>.</returns>
    public static string Direction(StudyDirection direction) => Lower(direction.ToString());

    private static string Lower(string name) => string.Create(name.Length, name, (span, source) =>
    {
        for (int i = 0; i < source.Length; i++)
        {
            span[i] = char.ToLowerInvariant(source[i]);
        }
    });
}
