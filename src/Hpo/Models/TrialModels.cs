using System.Text;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Models;

/// <summary>
/// A trial's model in an artifact store: the files under <c>model/</c> of the trial, with <c>model/manifest.json</c> written
/// last, and the trial's <see cref="ModelAttribute"/> user attribute pointing at the folder. The ML.NET and TorchSharp
/// objectives save their models this way; <see cref="GetBestAsync"/> finds the best trial's model in one call.
/// </summary>
/// <remarks>Added in 0.2.</remarks>
public static class TrialModels
{
    /// <summary>The trial user attribute that names the folder of the trial's model in the artifact store.</summary>
    public const string ModelAttribute = "hpo.model";

    /// <summary>The trial user attribute with the root folder of the <see cref="FileSystemArtifactStore"/> that holds the trial's model, so that <c>hpo export</c> finds it.</summary>
    public const string StoreAttribute = "hpo.model_store";

    /// <summary>The folder of a trial's model among its artifacts.</summary>
    public const string ModelFolder = "model";

    /// <summary>Saves a trial's model: copies the files into <c>model/</c>, writes the manifest last, and sets <see cref="ModelAttribute"/>.</summary>
    /// <param name="store">The artifact store.</param>
    /// <param name="trial">The trial.</param>
    /// <param name="manifest">The model's manifest; its study and trial are set from <paramref name="trial"/>.</param>
    /// <param name="files">The files to copy, by their name in the model folder (the manifest's model file among them).</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the model is stored.</returns>
    /// <exception cref="ArgumentException">A file name is invalid, a file is missing, or the model file is not among the files.</exception>
    /// <exception cref="FormatException">The manifest is invalid.</exception>
    public static async ValueTask SaveAsync(IArtifactStore store, ITrial trial, ModelManifest manifest, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(files);
        manifest = manifest.WithOrigin(trial.StudyName, trial.Number, manifest.Value, trial.Parameters);
        manifest.Validate();
        if (!files.ContainsKey(manifest.ModelFile))
        {
            throw new ArgumentException($"'files' must hold the manifest's model file '{manifest.ModelFile}', but holds {string.Join(", ", files.Keys)}.", nameof(files));
        }

        foreach ((string name, string source) in files)
        {
            ArtifactPath.ValidateName(name, nameof(files));
            if (name == ModelManifest.FileName)
            {
                throw new ArgumentException($"'files' must not hold '{ModelManifest.FileName}': the manifest is written from 'manifest'.", nameof(files));
            }

            FileStream stream = File.OpenRead(source);
            await using (stream.ConfigureAwait(false))
            {
                await store.WriteAsync(trial.StudyName, trial.Number, ModelFolder + "/" + name, stream, cancellationToken).ConfigureAwait(false);
            }
        }

        using var json = new MemoryStream(Encoding.UTF8.GetBytes(manifest.ToJson()));
        await store.WriteAsync(trial.StudyName, trial.Number, ModelFolder + "/" + ModelManifest.FileName, json, cancellationToken).ConfigureAwait(false);
        if (store is FileSystemArtifactStore fileStore)
        {
            await trial.SetUserAttributeAsync(StoreAttribute, fileStore.Root, cancellationToken).ConfigureAwait(false);
        }

        await trial.SetUserAttributeAsync(ModelAttribute, ModelFolder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the model of a study's best complete trial.</summary>
    /// <param name="storage">The study storage.</param>
    /// <param name="store">The artifact store the models were saved in.</param>
    /// <param name="studyName">The study's name.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The best trial's model.</returns>
    /// <exception cref="InvalidOperationException">The study does not exist, has no complete trial, or its best trial saved no model.</exception>
    public static async ValueTask<TrialModel> GetBestAsync(IStudyStorage storage, IArtifactStore store, string studyName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        StudyRecord study = await GetStudyAsync(storage, studyName, cancellationToken).ConfigureAwait(false);
        TrialRecord best = await storage.GetBestTrialAsync(study.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Study '{studyName}' has no complete trial yet, so it has no best model.");
        return await GetAsync(store, study.Name, best, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the model a trial saved.</summary>
    /// <param name="store">The artifact store the model was saved in.</param>
    /// <param name="studyName">The trial's study.</param>
    /// <param name="trial">The trial.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidOperationException">The trial saved no model, or its files are gone.</exception>
    public static async ValueTask<TrialModel> GetAsync(IArtifactStore store, string studyName, TrialRecord trial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(studyName);
        ArgumentNullException.ThrowIfNull(trial);
        if (!trial.UserAttributes.TryGetValue(ModelAttribute, out string? folder))
        {
            throw new InvalidOperationException(
                $"Trial {trial.Number} of study '{studyName}' saved no model (no '{ModelAttribute}' attribute): give the objective an artifact store " +
                "(MulticlassCrossValidationObjective.ModelStore, TorchTrainingOptions.ModelStore) so that trials save their models.");
        }

        ArtifactPath.Validate(folder, ModelAttribute);
        IReadOnlyList<string> all = await store.ListAsync(studyName, trial.Number, cancellationToken).ConfigureAwait(false);
        string prefix = folder + "/";
        string[] files = [.. all.Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.IndexOf('/', prefix.Length) < 0).Select(p => p[prefix.Length..])];
        if (!files.Contains(ModelManifest.FileName))
        {
            throw new InvalidOperationException($"Trial {trial.Number} of study '{studyName}' names the model folder '{folder}', but the artifact store has no '{folder}/{ModelManifest.FileName}' for it.");
        }

        string json;
        Stream stream = await store.OpenReadAsync(studyName, trial.Number, prefix + ModelManifest.FileName, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            json = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        ModelManifest manifest = ModelManifest.FromJson(json) with { Value = trial.Value };
        if (!files.Contains(manifest.ModelFile))
        {
            throw new InvalidOperationException($"Trial {trial.Number} of study '{studyName}' has a model manifest but not its model file '{folder}/{manifest.ModelFile}'.");
        }

        return new TrialModel(store, studyName, trial, folder, manifest, [.. files.Where(f => f != ModelManifest.FileName)]);
    }

    internal static async Task<StudyRecord> GetStudyAsync(IStudyStorage storage, string studyName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(studyName);
        return await storage.GetStudyAsync(studyName, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"There is no study named '{studyName}' in the storage.");
    }
}
