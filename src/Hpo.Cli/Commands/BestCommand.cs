using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo best</c>: a study's best complete trial and its parameters.</summary>
internal sealed class BestCommand : CliCommand
{
    /// <inheritdoc/>
    public override string Name => "best";

    /// <inheritdoc/>
    public override string Summary => "Show a study's best trial and its parameters.";

    /// <inheritdoc/>
    public override string Description =>
        "Shows the best complete trial of a study in its direction (ties go to the lower number), as the API's " +
        "GetBestTrialAsync returns it: study, direction, number, value, parameters, duration and when it finished. " +
        "Fails (exit code 1) while no trial is complete.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Storage, CommonOptions.Study, CommonOptions.Format];

    /// <inheritdoc/>
    public override Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        return WithStudyAsync(context, options, async (storage, study) =>
        {
            TrialRecord best = await storage.GetBestTrialAsync(study.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"Study '{study.Name}' has no complete trial yet, so it has no best trial.");
            return OutputDocument.Single(new OutputRecord(
            [
                new("study", study.Name),
                new("direction", StudyFields.Direction(study.Definition.Direction)),
                new("number", best.Number),
                new("value", best.Value),
                new("params", StudyFields.Parameters(study, best)),
                new("duration", best.Duration),
                new("finished", best.FinishedAt),
            ]));
        }, cancellationToken);
    }
}
