using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo studies</c>: every study of a storage with its settings, counts by state and best value.</summary>
internal sealed class StudiesCommand : CliCommand
{
    /// <inheritdoc/>
    public override string Name => "studies";

    /// <inheritdoc/>
    public override string Summary => "List every study: direction, tuner, budget, trials by state, best value.";

    /// <inheritdoc/>
    public override string Description =>
        "Lists every study in the storage, oldest first: name, direction, tuner, budget (- when none), the number of trials " +
        "waiting, running, complete, pruned, failed and stale, the best value so far and when the study was created (UTC).";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Storage, CommonOptions.Format];

    /// <inheritdoc/>
    public override Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        return WithStorageAsync(context, options.GetRequired(CommonOptions.Storage.Name), mustExist: true, async storage =>
        {
            // One study with a damaged definition must not hide the others: it is named on standard error with the reason.
            StudyCatalog catalog = storage is StudyStorageBase catalogued
                ? await catalogued.GetStudyCatalogAsync(cancellationToken).ConfigureAwait(false)
                : new StudyCatalog(await storage.GetStudiesAsync(cancellationToken).ConfigureAwait(false), []);
            foreach (UnreadableStudy bad in catalog.Unreadable)
            {
                context.Error.WriteLine($"hpo studies: warning: study '{bad.Name}' (id {bad.Id}) cannot be read and is not listed: {bad.Reason}");
            }

            IReadOnlyList<StudyRecord> studies = catalog.Studies;
            var records = new List<OutputRecord>(studies.Count);
            foreach (StudyRecord study in studies)
            {
                TrialCounts counts = await storage.GetTrialCountsAsync(study.Id, cancellationToken).ConfigureAwait(false);
                TrialRecord? best = counts.Complete > 0 ? await storage.GetBestTrialAsync(study.Id, cancellationToken).ConfigureAwait(false) : null;
                records.Add(StudyFields.Study(study, counts, best));
            }

            return OutputDocument.List(records, StudyFields.StudyColumns);
        });
    }
}
