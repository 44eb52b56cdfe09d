using System.Globalization;
using Hpo.Storage;

namespace Hpo.Models;

/// <summary>
/// A model repository in TensorFlow Serving's layout: <c>BASE/NAME/VERSION/</c>, where <c>VERSION</c> is a positive integer and
/// each version folder holds the model's files and its <c>manifest.json</c>. A version is written into a hidden temporary folder
/// (<c>BASE/NAME/.tmp-…</c>) and renamed into place, so a server watching the repository never sees half a version.
/// </summary>
/// <remarks>
/// <para>Publishing never changes an existing version: each publish takes the next free number, even when several publish at once.</para>
/// <para>Added in 0.2.</para>
/// </remarks>
public sealed class ModelRepository
{
    private readonly TimeProvider time;

    /// <summary>Initializes a new instance of the <see cref="ModelRepository"/> class.</summary>
    /// <param name="basePath">The repository's base folder (created on the first publish).</param>
    /// <param name="timeProvider">The clock of the manifests' creation times; <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException"><paramref name="basePath"/> is empty.</exception>
    public ModelRepository(string basePath, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(basePath);
        BasePath = Path.GetFullPath(basePath);
        time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the base folder, as a full path.</summary>
    public string BasePath { get; }

    /// <summary>Gets the folder of a model's version.</summary>
    /// <param name="name">The model's name.</param>
    /// <param name="version">The version (at least 1).</param>
    /// <returns>The full path (it may not exist).</returns>
    public string VersionDirectory(string name, long version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        return Path.Combine(BasePath, ArtifactPath.ValidateName(name, nameof(name)), version.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Gets the versions of a model that exist: the folders whose name is a positive integer, ascending.</summary>
    /// <param name="name">The model's name.</param>
    /// <returns>The versions; empty when the model has none.</returns>
    public IReadOnlyList<long> GetVersions(string name)
    {
        string folder = Path.Combine(BasePath, ArtifactPath.ValidateName(name, nameof(name)));
        return Directory.Exists(folder) ? ParseVersions(Directory.EnumerateDirectories(folder).Select(Path.GetFileName)!) : [];
    }

    /// <summary>Gets the version numbers among folder names: positive integers written without sign or leading zeros, ascending.</summary>
    /// <param name="folderNames">The folder names.</param>
    /// <returns>The versions.</returns>
    public static IReadOnlyList<long> ParseVersions(IEnumerable<string> folderNames)
    {
        ArgumentNullException.ThrowIfNull(folderNames);
        return [.. folderNames
            .Where(n => n.Length > 0 && n[0] != '0' && n.All(char.IsAsciiDigit))
            .Select(n => long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : 0)
            .Where(v => v > 0)
            .Order()];
    }

    /// <summary>Reads a version's manifest.</summary>
    /// <param name="name">The model's name.</param>
    /// <param name="version">The version.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="FileNotFoundException">The version or its manifest does not exist.</exception>
    /// <exception cref="FormatException">The manifest is invalid.</exception>
    public ModelManifest ReadManifest(string name, long version) =>
        ModelManifest.FromJson(File.ReadAllText(Path.Combine(VersionDirectory(name, version), ModelManifest.FileName)));

    /// <summary>Publishes the best trial's model of a study as the model's next version: the one call from a study to a served model.</summary>
    /// <param name="storage">The study storage.</param>
    /// <param name="artifacts">The artifact store the trials saved their models in.</param>
    /// <param name="studyName">The study's name.</param>
    /// <param name="name">The model's name in the repository.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="InvalidOperationException">The study has no best trial, or it saved no model.</exception>
    public async Task<ModelVersion> PublishBestAsync(IStudyStorage storage, IArtifactStore artifacts, string studyName, string name, CancellationToken cancellationToken = default)
    {
        ArtifactPath.ValidateName(name, nameof(name));
        TrialModel model = await TrialModels.GetBestAsync(storage, artifacts, studyName, cancellationToken).ConfigureAwait(false);
        return await PublishAsync(name, model, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes a trial's model as the model's next version.</summary>
    /// <param name="name">The model's name in the repository.</param>
    /// <param name="model">The trial's model.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The new version.</returns>
    public Task<ModelVersion> PublishAsync(string name, TrialModel model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return PublishAsync(name, model.Manifest, model.CopyFilesToAsync, cancellationToken);
    }

    /// <summary>Publishes a model as the next version: writes its files and manifest into a temporary folder, then renames it into place.</summary>
    /// <param name="name">The model's name in the repository.</param>
    /// <param name="manifest">The manifest; its creation time is set to now.</param>
    /// <param name="writeFiles">Writes the model's files (not the manifest) into the folder it is given.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="FormatException">The manifest is invalid, or the files miss the manifest's model file.</exception>
    public async Task<ModelVersion> PublishAsync(string name, ModelManifest manifest, Func<string, CancellationToken, Task> writeFiles, CancellationToken cancellationToken = default)
    {
        ArtifactPath.ValidateName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(writeFiles);
        manifest = manifest with { Created = time.GetUtcNow() };
        manifest.Validate();
        string modelFolder = Path.Combine(BasePath, name);
        Directory.CreateDirectory(modelFolder);
        string temporary = Path.Combine(modelFolder, ".tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temporary);
        try
        {
            await writeFiles(temporary, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(Path.Combine(temporary, manifest.ModelFile)))
            {
                throw new FormatException($"The model's files do not include its model file '{manifest.ModelFile}'.");
            }

            string manifestPath = Path.Combine(temporary, ModelManifest.FileName);
            await File.WriteAllTextAsync(manifestPath, manifest.ToJson(), cancellationToken).ConfigureAwait(false);
            using (var handle = new FileStream(manifestPath, FileMode.Open, FileAccess.ReadWrite))
            {
                handle.Flush(flushToDisk: true);
            }

            for (int attempt = 0; ; attempt++)
            {
                long version = GetVersions(name).LastOrDefault() + 1;
                string target = Path.Combine(modelFolder, version.ToString(CultureInfo.InvariantCulture));
                try
                {
                    if (!Directory.Exists(target))
                    {
                        Directory.Move(temporary, target);
                        return new ModelVersion(name, version, target, manifest);
                    }
                }
                catch (IOException) when (attempt < 100 && Directory.Exists(target))
                {
                    // Another publisher took this number between the look and the rename: take the next one.
                }
            }
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }
}
