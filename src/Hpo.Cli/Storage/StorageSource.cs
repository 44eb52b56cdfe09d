using Hpo.Cli.Logging;
using Hpo.Cli.Parsing;

namespace Hpo.Cli.Storage;

/// <summary>
/// Where a command's storage URL comes from, so that a credential need not be on the command line (where every local user sees it
/// in <c>/proc/PID/cmdline</c> and <c>ps</c>): <c>--storage URL</c>, <c>--storage-file PATH</c> (the URL is the file's first line,
/// for a mounted secret), or the <c>HPO_STORAGE</c> environment variable, in that order. Applied to every command that takes
/// <c>--storage</c>, once its options are parsed and before the required ones are checked.
/// </summary>
internal static class StorageSource
{
    /// <summary>The environment variable that holds the storage URL when neither option is given.</summary>
    public const string EnvironmentVariable = "HPO_STORAGE";

    /// <summary>The longest storage file read (a URL, not a database).</summary>
    private const int MaxFileLength = 64 * 1024;

    /// <summary>
    /// Turns <c>--storage-file</c> or <c>HPO_STORAGE</c> into the <c>--storage</c> value of a command that takes it, and registers
    /// the URL's credentials with the error writer so that they are masked wherever they appear.
    /// </summary>
    /// <param name="options">The command's parsed options (<c>--storage-file</c> among them when the command takes a storage).</param>
    /// <param name="command">The command.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="error">The error writer that masks credentials.</param>
    /// <returns>The options, with <c>--storage</c> resolved and <c>--storage-file</c> gone.</returns>
    /// <exception cref="UsageException">Both <c>--storage</c> and <c>--storage-file</c> are given, the file cannot be read or is empty, or no source gives a URL.</exception>
    public static ParsedOptions Apply(ParsedOptions options, ICommandSpec command, Func<string, string?> environment, RedactingWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(error);
        if (!command.Options.Contains(CommonOptions.Storage))
        {
            return options;
        }

        string? storage = options.Get(CommonOptions.Storage.Name);
        string? file = options.Get(CommonOptions.StorageFile);
        if (storage is not null)
        {
            error.AddSecretsOf(storage);
        }

        if (file is not null)
        {
            if (storage is not null)
            {
                throw new UsageException($"Give either '--storage' or '{CommonOptions.StorageFile}', not both.");
            }

            string url = Read(file);
            error.AddSecretsOf(url);
            return options.Without(CommonOptions.StorageFile).With(CommonOptions.Storage.Name, url);
        }

        if (storage is null && environment(EnvironmentVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            error.AddSecretsOf(fromEnvironment);
            return options.With(CommonOptions.Storage.Name, fromEnvironment.Trim());
        }

        return storage is not null ? options
            : throw new UsageException($"Option '--storage URL' is required (or '{CommonOptions.StorageFile} PATH', or the {EnvironmentVariable} environment variable, which keep a password off the command line).");
    }

    private static string Read(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new UsageException($"Option '{CommonOptions.StorageFile}' names a file that does not exist: '{Path.GetFullPath(path)}'.");
            }

            if (info.Length > MaxFileLength)
            {
                throw new UsageException($"Option '{CommonOptions.StorageFile}' must name a file that holds one storage URL (at most {MaxFileLength / 1024} KiB), but '{Path.GetFullPath(path)}' has {info.Length} bytes.");
            }

            string? url = File.ReadLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
            return url ?? throw new UsageException($"Option '{CommonOptions.StorageFile}' names an empty file: '{Path.GetFullPath(path)}'; write the storage URL on its first line.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Option '{CommonOptions.StorageFile}' names a file that cannot be read: '{Path.GetFullPath(path)}' ({e.GetType().Name}: {e.Message}).");
        }
    }
}
