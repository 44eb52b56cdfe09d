using System.Globalization;

namespace Hpo.Models;

/// <summary>
/// An artifact store in a folder: a trial's file <c>PATH</c> is <c>ROOT/STUDY/trial-NUMBER/PATH</c>, where <c>STUDY</c> is the
/// study's name with every character but ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c> replaced by <c>_</c> — the same
/// layout as the child-process executor's artifacts root, so one root serves both.
/// </summary>
/// <remarks>
/// <para>A file is written to a temporary file beside it (<c>.NAME.tmp-…</c>) and renamed into place, so readers never see half a file.</para>
/// <para>Added in 0.2.</para>
/// </remarks>
public sealed class FileSystemArtifactStore : IArtifactStore
{
    /// <summary>Initializes a new instance of the <see cref="FileSystemArtifactStore"/> class.</summary>
    /// <param name="root">The root folder; created on the first write.</param>
    /// <exception cref="ArgumentException"><paramref name="root"/> is empty.</exception>
    public FileSystemArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>Gets the root folder, as a full path.</summary>
    public string Root { get; }

    /// <summary>Gets the folder of a trial's files: <c>ROOT/STUDY/trial-NUMBER</c>.</summary>
    /// <param name="studyName">The study's name.</param>
    /// <param name="trialNumber">The trial's number (at least 0).</param>
    /// <returns>The full path (it may not exist).</returns>
    public string TrialDirectory(string studyName, int trialNumber)
    {
        ArgumentNullException.ThrowIfNull(studyName);
        ArgumentOutOfRangeException.ThrowIfNegative(trialNumber);
        return Path.Combine(Root, ArtifactPath.StudyFolder(studyName), "trial-" + trialNumber.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Gets the file of a trial's artifact path.</summary>
    /// <param name="studyName">The study's name.</param>
    /// <param name="trialNumber">The trial's number.</param>
    /// <param name="path">The relative path.</param>
    /// <returns>The full path (it may not exist).</returns>
    public string FilePath(string studyName, int trialNumber, string path) =>
        Path.Combine(TrialDirectory(studyName, trialNumber), ArtifactPath.Validate(path, nameof(path)).Replace('/', Path.DirectorySeparatorChar));

    /// <inheritdoc/>
    public async ValueTask WriteAsync(string studyName, int trialNumber, string path, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        string file = FilePath(studyName, trialNumber, path);
        string folder = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, "." + Path.GetFileName(file) + ".tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            FileStream target = new(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await using (target.ConfigureAwait(false))
            {
                await content.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                target.Flush(flushToDisk: true);
            }

            File.Move(temporary, file, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Stream> OpenReadAsync(string studyName, int trialNumber, string path, CancellationToken cancellationToken)
    {
        string file = FilePath(studyName, trialNumber, path);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Trial {trialNumber} of study '{studyName}' has no artifact '{path}' (looked for {file}).", file);
        }

        return ValueTask.FromResult<Stream>(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListAsync(string studyName, int trialNumber, CancellationToken cancellationToken)
    {
        string folder = TrialDirectory(studyName, trialNumber);
        if (!Directory.Exists(folder))
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([]);
        }

        List<string> paths = [];
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!relative.Split('/').Any(s => s.StartsWith('.')))
            {
                paths.Add(relative);
            }
        }

        paths.Sort(StringComparer.Ordinal);
        return ValueTask.FromResult<IReadOnlyList<string>>(paths);
    }
}
