using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Visualization;
using Hpo.Visualization.Reports;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo report</c>: writes one self-contained HTML file about a study.</summary>
internal sealed class ReportCommand : CliCommand
{
    /// <summary>The <c>--out FILE</c> option.</summary>
    public static readonly OptionSpec OutOption = new("--out", "FILE", "The HTML file to write.", Required: true);

    /// <summary>The <c>--max-table-trials N</c> option.</summary>
    public static readonly OptionSpec MaxTableTrialsOption = new("--max-table-trials", "N", "The most trials listed in the trials table, the latest ones (default 2000).");

    /// <inheritdoc/>
    public override string Name => "report";

    /// <inheritdoc/>
    public override string Summary => "Write a self-contained HTML report of a study (every plot, best trial, space, counts).";

    /// <inheritdoc/>
    public override string Description =>
        "Writes one HTML file that opens with no network (styles, scripts and SVG plots inlined, no external URL): the study's settings, " +
        "trial counts by state, the best trial, the search space, parameter importance, the history, slice, contour, parallel-coordinates, " +
        "intermediate-values and timeline plots, and a sortable, filterable table of the latest trials. Prints the study, the file, its size " +
        "and the number of trials read.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Storage, CommonOptions.Study, OutOption, MaxTableTrialsOption, CommonOptions.Format];

    /// <inheritdoc/>
    public override Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        string path = StudySnapshot.OutputPath(options.GetRequired(OutOption.Name));
        var reportOptions = new StudyReportOptions { MaxTableTrials = options.GetInt32(MaxTableTrialsOption.Name, minimum: 1) ?? 2000 };
        return WithStudyAsync(context, options, async (storage, study) =>
        {
            StudyData data = await StudySnapshot.LoadAsync(storage, study, cancellationToken).ConfigureAwait(false);
            await StudyReport.SaveAsync(data, path, reportOptions, cancellationToken).ConfigureAwait(false);
            return OutputDocument.Single(new OutputRecord(
            [
                new("study", data.Study.Name),
                new("file", path),
                new("bytes", new FileInfo(path).Length),
                new("trials", data.Trials.Count),
            ]));
        }, cancellationToken);
    }
}
