using Hpo.Cli.Commands;
using Hpo.Cli.Logging;
using Hpo.Cli.Parsing;

namespace Hpo.Cli.Storage;

/// <summary>
/// Where a command's storage URL comes from, so that a credential need not be on the command line (where every local user sees it
/// in <c>/proc/PID/cmdline</c> and <c>ps</c>): <c>--storage URL</c>, <c>--storage-file PATH</c> (the URL is the file's first line,
/// for a mounted secret), or the <c>HPO_STORAGE</c> environment variable, in that order. Applied to every command that takes
/// <c>--storage</c>, before its options are parsed.
/// </summary>
internal static class StorageSource
{
    /// <summary>The environment variable that holds the storage URL when neither option is given.</summary>
    public const string EnvironmentVariable = "HPO_STORAGE";

    /// <summary>The <c>--storage-file</c> option.</summary>
    public const string FileOption = "--storage-file";

    /// <summary>The longest storage file read (a URL, not a database).</summary>
    private const int MaxFileLength = 64 * 1024;

    /// <summary>
    /// Turns <c>--storage-file</c> or <c>HPO_STORAGE</c> into a <c>--storage</c> argument for a command that takes it, and registers
    /// the URL's credentials with the error writer so that they are masked wherever they appear.
    /// </summary>
    /// <param name="arguments">The arguments after the command's name.</param>
    /// <param name="command">The command.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="error">The error writer that masks credentials.</param>
    /// <returns>The arguments, with <c>--storage</c> resolved.</returns>
    /// <exception cref="UsageException">Both <c>--storage</c> and <c>--storage-file</c> are given, or the file cannot be read or is empty.</exception>
    public static List<string> Apply(IReadOnlyList<string> arguments, CliCommand command, Func<string, string?> environment, RedactingWriter error)
    {
        var result = new List<string>(arguments.Count + 2);
        string? file = null;
        bool hasStorage = false;
        for (int i = 0; i < arguments.Count; i++)
        {
            string a = arguments[i];
            if (a == FileOption || a.StartsWith(FileOption + "=", StringComparison.Ordinal))
            {
                if (file is not null)
                {
                    throw new UsageException($"Option '{FileOption}' is given twice.");
                }

                file = a.Length > FileOption.Length ? a[(FileOption.Length + 1)..]
                    : i + 1 < arguments.Count ? arguments[++i]
                    : throw new UsageException($"Option '{FileOption}' needs a value (PATH).");
                continue;
            }

            if (a == CliCommand.StorageOption.Name || a.StartsWith(CliCommand.StorageOption.Name + "=", StringComparison.Ordinal))
            {
                hasStorage = true;
                string? value = a.Length > CliCommand.StorageOption.Name.Length ? a[(CliCommand.StorageOption.Name.Length + 1)..]
                    : i + 1 < arguments.Count ? arguments[i + 1] : null;
                if (value is not null)
                {
                    error.AddSecretsOf(value);
                }
            }

            result.Add(a);
        }

        if (!command.Options.Contains(CliCommand.StorageOption))
        {
            return file is null ? result : throw new UsageException($"Unknown option '{FileOption}': 'hpo {command.Name}' takes no storage.");
        }

        if (file is not null)
        {
            if (hasStorage)
            {
                throw new UsageException($"Give either '--storage' or '{FileOption}', not both.");
            }

            string url = Read(file);
            error.AddSecretsOf(url);
            result.Add(CliCommand.StorageOption.Name + "=" + url);
        }
        else if (!hasStorage && environment(EnvironmentVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            error.AddSecretsOf(fromEnvironment);
            result.Add(CliCommand.StorageOption.Name + "=" + fromEnvironment.Trim());
        }
        else if (!hasStorage && !arguments.Any(a => a is "-h" or "--help" or "-?"))
        {
            throw new UsageException($"Option '--storage URL' is required (or '{FileOption} PATH', or the {EnvironmentVariable} environment variable, which keep a password off the command line).");
        }

        return result;
    }

    private static string Read(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new UsageException($"Option '{FileOption}' names a file that does not exist: '{Path.GetFullPath(path)}'.");
            }

            if (info.Length > MaxFileLength)
            {
                throw new UsageException($"Option '{FileOption}' must name a file that holds one storage URL (at most {MaxFileLength / 1024} KiB), but '{Path.GetFullPath(path)}' has {info.Length} bytes.");
            }

            string? url = File.ReadLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
            return url ?? throw new UsageException($"Option '{FileOption}' names an empty file: '{Path.GetFullPath(path)}'; write the storage URL on its first line.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Option '{FileOption}' names a file that cannot be read: '{Path.GetFullPath(path)}' ({e.GetType().Name}: {e.Message}).");
        }
    }
}
