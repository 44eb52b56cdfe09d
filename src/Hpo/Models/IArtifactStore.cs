namespace Hpo.Models;

/// <summary>
/// Where trials keep files (a model, metrics, plots): each file belongs to one trial of one study and has a relative path.
/// The file system (<see cref="FileSystemArtifactStore"/>) is the default; an object store can implement the same three methods.
/// </summary>
/// <remarks>
/// <para>
/// A path is relative, with <c>/</c> between its segments; a segment holds ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c>,
/// and does not start with <c>.</c> (<see cref="ArtifactPath.Validate(string, string)"/>). Writing a path again replaces the file.
/// </para>
/// <para>Implementations are thread-safe, and a reader never sees a half-written file.</para>
/// <para>Added in 0.2.</para>
/// </remarks>
public interface IArtifactStore
{
    /// <summary>Writes a trial's file, replacing the file at that path if there is one.</summary>
    /// <param name="studyName">The study's name.</param>
    /// <param name="trialNumber">The trial's number.</param>
    /// <param name="path">The file's relative path.</param>
    /// <param name="content">The content, read from its current position to its end.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    /// <exception cref="ArgumentException">The study name, the trial number or the path is invalid.</exception>
    ValueTask WriteAsync(string studyName, int trialNumber, string path, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a trial's file for reading.</summary>
    /// <param name="studyName">The study's name.</param>
    /// <param name="trialNumber">The trial's number.</param>
    /// <param name="path">The file's relative path.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A stream the caller disposes.</returns>
    /// <exception cref="FileNotFoundException">The trial has no file at that path.</exception>
    ValueTask<Stream> OpenReadAsync(string studyName, int trialNumber, string path, CancellationToken cancellationToken);

    /// <summary>Lists a trial's files.</summary>
    /// <param name="studyName">The study's name.</param>
    /// <param name="trialNumber">The trial's number.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The relative paths, in ordinal order; empty when the trial has none.</returns>
    ValueTask<IReadOnlyList<string>> ListAsync(string studyName, int trialNumber, CancellationToken cancellationToken);
}
