using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Visualization;
using Hpo.Visualization.Rendering;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo plot KIND</c>: draws one plot of a study to a PNG or SVG file.</summary>
internal sealed class PlotCommand : CliCommand
{
    /// <summary>The positional plot kind.</summary>
    public static readonly OptionSpec KindOption = new("KIND", string.Empty, $"The plot: {string.Join(", ", PlotKinds.All)}.", Required: true, Completions: PlotKinds.All);

    /// <summary>The <c>--out FILE</c> option.</summary>
    public static readonly OptionSpec OutOption = new("--out", "FILE", "The image to write: .png or .svg.", Required: true);

    /// <summary>The <c>--param NAME</c> option.</summary>
    public static readonly OptionSpec ParamOption = new("--param", "NAME", "slice: the parameter (default: the first); contour: the horizontal parameter (default: the first).");

    /// <summary>The <c>--param2 NAME</c> option.</summary>
    public static readonly OptionSpec SecondParamOption = new("--param2", "NAME", "contour: the vertical parameter (default: the first other parameter).");

    /// <summary>The <c>--width PIXELS</c> option.</summary>
    public static readonly OptionSpec WidthOption = new("--width", "PIXELS", "The image's width (default 900).");

    /// <summary>The <c>--height PIXELS</c> option.</summary>
    public static readonly OptionSpec HeightOption = new("--height", "PIXELS", "The image's height (default 540).");

    /// <inheritdoc/>
    public override string Name => "plot";

    /// <inheritdoc/>
    public override string Summary => "Draw a plot of a study (history, importance, slice, ...) to a PNG or SVG file.";

    /// <inheritdoc/>
    public override string Description =>
        "Draws one plot of a study to --out (.png or .svg): history (complete trials' values and the best so far), importance " +
        "(fANOVA on a random forest), slice (the objective against --param), parallel-coordinates, contour (--param against --param2), " +
        "intermediate (learning curves, pruned trials marked) or timeline (trials per worker over time, states coloured, retries outlined). " +
        "Prints the study, the plot, the file and the number of trials read.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [KindOption, CommonOptions.Storage, CommonOptions.Study, OutOption, ParamOption, SecondParamOption, WidthOption, HeightOption, CommonOptions.Format];

    /// <inheritdoc/>
    public override Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        PlotKind kind;
        try
        {
            kind = PlotKinds.Parse(options.GetRequired(KindOption.Name));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(Storage.StorageOpener.MessageOf(e), e);
        }

        string output = options.GetRequired(OutOption.Name);
        string extension = Path.GetExtension(output).ToUpperInvariant();
        if (extension is not ".PNG" and not ".SVG")
        {
            throw new UsageException($"Option '--out' must name a .png or .svg file, but got '{output}'.");
        }

        var plotOptions = new PlotOptions
        {
            Parameter = options.Get(ParamOption.Name),
            SecondParameter = options.Get(SecondParamOption.Name),
            Width = options.GetInt32(WidthOption.Name, minimum: 100) ?? 900,
            Height = options.GetInt32(HeightOption.Name, minimum: 100) ?? 540,
        };
        string path = StudySnapshot.OutputPath(output);
        return WithStudyAsync(context, options, async (storage, study) =>
        {
            StudyData data = await StudySnapshot.LoadAsync(storage, study, cancellationToken).ConfigureAwait(false);
            await StudyPlotter.SaveAsync(data, kind, path, plotOptions, cancellationToken).ConfigureAwait(false);
            return OutputDocument.Single(new OutputRecord(
            [
                new("study", data.Study.Name),
                new("plot", PlotKinds.NameOf(kind)),
                new("file", path),
                new("trials", data.Trials.Count),
            ]));
        }, cancellationToken);
    }
}
