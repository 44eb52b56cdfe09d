using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo status</c>: a study's trial counts by state and what is left of its budget — what an autoscaler scales on.</summary>
internal sealed class StatusCommand : CliCommand
{
    /// <inheritdoc/>
    public override string Name => "status";

    /// <inheritdoc/>
    public override string Summary => "Count a study's trials by state, with its budget and what remains (for autoscalers).";

    /// <inheritdoc/>
    public override string Description =>
        "Counts a study's trials by state with one cheap query: waiting (enqueued, not yet claimed), running, complete, pruned, " +
        "failed, stale (lost with their worker; not counted by the budget); finished (complete + pruned + failed, what the budget counts); total; budget (null without one); and remaining " +
        "(budget - finished: trials still to finish before the budget is spent, running ones included; null without a budget). " +
        "With --format json it prints one JSON object, for example for an autoscaler: " +
        "hpo status --storage URL --study NAME --format json | jq .remaining";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Storage, CommonOptions.Study, CommonOptions.Format];

    /// <inheritdoc/>
    public override Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        return WithStudyAsync(context, options, async (storage, study) =>
        {
            TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, cancellationToken).ConfigureAwait(false);
            int? budget = study.Definition.Budget;
            return OutputDocument.Single(new OutputRecord(
            [
                new("study", study.Name),
                .. StudyFields.Counts(counts),
                new("finished", counts.Finished),
                new("total", counts.Total),
                new("budget", budget),
                new("remaining", budget is int b ? Math.Max(0, b - counts.Finished) : null),
            ]));
        }, cancellationToken);
    }
}
