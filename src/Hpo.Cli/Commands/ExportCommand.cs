using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Models;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo export</c>: publishes a study's best trial's model as the next version of a model in a TF-Serving-layout repository.</summary>
internal sealed class ExportCommand : CliCommand
{
    /// <summary>The <c>--model-base-path</c> option.</summary>
    public static readonly OptionSpec ModelBasePathOption = new("--model-base-path", "BASE", "The model repository's base folder (BASE/NAME/VERSION/); created when missing.", Required: true);

    /// <summary>The <c>--name</c> option.</summary>
    public static readonly OptionSpec NameOption = new("--name", "NAME", "The model's name in the repository (ASCII letters, digits, '-', '_', '.').", Required: true);

    /// <summary>The <c>--artifacts</c> option.</summary>
    public static readonly OptionSpec ArtifactsOption = new("--artifacts", "DIR", "The artifact store's root folder the trials saved their models in; by default the one the best trial recorded (its hpo.model_store attribute).");

    /// <summary>The <c>--trial</c> option.</summary>
    public static readonly OptionSpec TrialOption = new("--trial", "N", "Export this trial's model instead of the best trial's.");

    /// <inheritdoc/>
    public override string Name => "export";

    /// <inheritdoc/>
    public override string Summary => "Publish the best trial's model as the next version in a model repository.";

    /// <inheritdoc/>
    public override string Description =>
        "Copies the model the study's best complete trial saved (ML.NET: refit on the whole data; TorchSharp: the best checkpoint and its " +
        "architecture) into BASE/NAME/VERSION/ with a manifest.json (kind, task, inputs, classes, study, trial, value, created), where " +
        "VERSION is one more than the newest version there. The version is written into a hidden temporary folder and renamed into place, " +
        "so a server watching the repository never sees half of it. Prints: name, version, path, kind, study, trial, value.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Storage, CommonOptions.Study, ModelBasePathOption, NameOption, ArtifactsOption, TrialOption, CommonOptions.Format];

    /// <inheritdoc/>
    public override Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        string basePath = options.GetRequired(ModelBasePathOption.Name);
        string name = options.GetRequired(NameOption.Name);
        try
        {
            ArtifactPath.ValidateName(name, "--name");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }

        int? trialNumber = options.GetInt32(TrialOption.Name, minimum: 0);
        return WithStudyAsync(context, options, async (storage, study) =>
        {
            TrialRecord trial = trialNumber is int n
                ? await storage.GetTrialAsync(study.Id, n, cancellationToken).ConfigureAwait(false) ?? throw new CliException($"Study '{study.Name}' has no trial {n}.")
                : await storage.GetBestTrialAsync(study.Id, cancellationToken).ConfigureAwait(false) ?? throw new CliException($"Study '{study.Name}' has no complete trial yet, so it has no best model.");
            string? root = options.Get(ArtifactsOption.Name) ?? trial.UserAttributes.GetValueOrDefault(TrialModels.StoreAttribute);
            if (root is null)
            {
                throw new CliException($"Trial {trial.Number} of study '{study.Name}' recorded no artifact store: give --artifacts DIR (the root the objective's ModelStore wrote to).");
            }

            TrialModel model = await TrialModels.GetAsync(new FileSystemArtifactStore(root), study.Name, trial, cancellationToken).ConfigureAwait(false);
            ModelVersion version = await new ModelRepository(basePath).PublishAsync(name, model, cancellationToken).ConfigureAwait(false);
            return OutputDocument.Single(new OutputRecord(
            [
                new("name", version.Name),
                new("version", version.Version),
                new("path", version.Directory),
                new("kind", version.Manifest.Kind),
                new("study", study.Name),
                new("trial", trial.Number),
                new("value", trial.Value),
            ]));
        }, cancellationToken);
    }
}
