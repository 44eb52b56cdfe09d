using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo trials</c>: a study's trials, optionally in one state.</summary>
internal sealed class TrialsCommand : CliCommand
{
    /// <summary>The <c>--state STATE</c> option.</summary>
    public static readonly OptionSpec StateOption = new("--state", "STATE", $"Only trials in this state: {string.Join(", ", Enum.GetValues<TrialState>().Select(StudyFields.State))}.", Completions: [.. Enum.GetValues<TrialState>().Select(StudyFields.State)]);

    /// <summary>The fields of <see cref="Describe"/> but the parameters, for the header of an empty list.</summary>
    public static readonly IReadOnlyList<string> TrialColumns = ["number", "state", "value", "duration", "owner", "failReason"];

    private static readonly KeyValuePair<string, TrialState>[] States = [.. Enum.GetValues<TrialState>().Select(s => KeyValuePair.Create(StudyFields.State(s), s))];

    /// <inheritdoc/>
    public override string Name => "trials";

    /// <inheritdoc/>
    public override string Summary => "List a study's trials: state, value, parameters, duration, owner, fail reason.";

    /// <inheritdoc/>
    public override string Description =>
        "Lists the trials of a study by number: state, value (the objective's value; a pruned trial's last reported value), " +
        "parameters (params.NAME in table and CSV, a nested object in JSON), duration (of a finished trial; seconds in JSON and CSV), " +
        "owner (the worker that runs or ran it) and the reason a failed trial failed.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Storage, CommonOptions.Study, StateOption, CommonOptions.Format];

    /// <inheritdoc/>
    public override Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        TrialState? state = options.GetChoice(StateOption.Name, States);
        return WithStudyAsync(context, options, async (storage, study) =>
        {
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, cancellationToken).ConfigureAwait(false);
            return OutputDocument.List(trials
                .Where(t => state is null || t.State == state)
                .OrderBy(t => t.Number)
                .Select(t => Describe(study, t)),
                TrialColumns);
        }, cancellationToken);
    }

    /// <summary>Describes one trial.</summary>
    /// <param name="study">Its study.</param>
    /// <param name="trial">The trial.</param>
    /// <returns>The record: number, state, value, params, duration, owner, failReason.</returns>
    public static OutputRecord Describe(StudyRecord study, TrialRecord trial) => new(
    [
        new("number", trial.Number),
        new("state", StudyFields.State(trial.State)),
        new("value", trial.Value),
        new("params", StudyFields.Parameters(study, trial)),
        new("duration", trial.Duration),
        new("owner", trial.Owner),
        new("failReason", trial.FailReason),
    ]);
}
