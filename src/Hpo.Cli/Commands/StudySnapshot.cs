using Hpo.Cli.Parsing;
using Hpo.Storage;
using Hpo.Trials;
using Hpo.Visualization;

namespace Hpo.Cli.Commands;

/// <summary>Reads a study and its trials for the commands that draw it (<c>plot</c>, <c>report</c>).</summary>
internal static class StudySnapshot
{
    /// <summary>Reads a study's trials into a snapshot.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="study">The study.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The snapshot.</returns>
    public static async Task<StudyData> LoadAsync(IStudyStorage storage, StudyRecord study, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, cancellationToken).ConfigureAwait(false);
        return StudyData.Create(study, trials, TimeProvider.System.GetUtcNow());
    }

    /// <summary>Checks that an output file's folder exists, so that the work is not done for nothing.</summary>
    /// <param name="path">The <c>--out</c> path.</param>
    /// <returns>The full path.</returns>
    public static string OutputPath(string path)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        return folder is null || Directory.Exists(folder)
            ? full
            : throw new CliException($"The folder of --out '{path}' does not exist ({folder}).");
    }
}
