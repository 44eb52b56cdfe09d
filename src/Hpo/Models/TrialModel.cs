using System.Text;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Models;

/// <summary>A model a trial saved in an artifact store: its manifest and files.</summary>
/// <remarks>Added in 0.2.</remarks>
public sealed class TrialModel
{
    private readonly IArtifactStore store;

    internal TrialModel(IArtifactStore store, string studyName, TrialRecord trial, string folder, ModelManifest manifest, IReadOnlyList<string> files)
    {
        this.store = store;
        StudyName = studyName;
        Trial = trial;
        Folder = folder;
        Manifest = manifest;
        Files = files;
    }

    /// <summary>Gets the study's name.</summary>
    public string StudyName { get; }

    /// <summary>Gets the trial that saved the model.</summary>
    public TrialRecord Trial { get; }

    /// <summary>Gets the model's folder among the trial's artifacts.</summary>
    public string Folder { get; }

    /// <summary>Gets the model's manifest, with the trial's value.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Gets the model's files (the manifest aside), by name.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Copies the model's files (not the manifest) into a folder.</summary>
    /// <param name="directory">The folder, which must exist.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the files are copied.</returns>
    public async Task CopyFilesToAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        foreach (string file in Files)
        {
            Stream source = await store.OpenReadAsync(StudyName, Trial.Number, Folder + "/" + file, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                FileStream target = new(Path.Combine(directory, file), FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                    target.Flush(flushToDisk: true);
                }
            }
        }
    }
}
