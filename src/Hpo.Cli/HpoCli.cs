using System.Reflection;
using System.Text;
using System.Text.Json;
using Hpo.Cli.Commands;
using Hpo.Cli.Formatting;
using Hpo.Cli.Logging;
using Hpo.Cli.Parsing;
using Hpo.Cli.Storage;
using Microsoft.Extensions.Logging;

namespace Hpo.Cli;

/// <summary>
/// The <c>hpo</c> tool: picks the command, parses its options, runs it and prints its result. Exit codes: 0 when the
/// command succeeded (or help was asked for), 1 when it failed (message on standard error), 2 when the command line is wrong.
/// </summary>
internal static class HpoCli
{
    /// <summary>The command succeeded.</summary>
    public const int Success = 0;

    /// <summary>The command failed; the reason is on standard error.</summary>
    public const int RuntimeError = 1;

    /// <summary>The command line is wrong; the reason and a pointer to the help are on standard error.</summary>
    public const int UsageError = 2;

    private static readonly KeyValuePair<string, OutputFormat>[] Formats =
    [
        KeyValuePair.Create("table", OutputFormat.Table),
        KeyValuePair.Create("json", OutputFormat.Json),
        KeyValuePair.Create("csv", OutputFormat.Csv),
    ];

    /// <summary>Gets the commands, in help order.</summary>
    public static IReadOnlyList<CliCommand> Commands { get; } = [new StudiesCommand(), new TrialsCommand(), new BestCommand(), new StatusCommand(), new CreateCommand(), new WorkerCommand(), new ExportCommand(), new ServeCommand(), new PlotCommand(), new ReportCommand(), new DashboardCommand()];

    /// <summary>Gets the tool's version.</summary>
    public static string Version { get; } =
        typeof(HpoCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Runs one command line.</summary>
    /// <param name="arguments">The arguments after <c>hpo</c>.</param>
    /// <param name="output">Standard output: the result, or the help that was asked for.</param>
    /// <param name="error">Standard error: errors and notes.</param>
    /// <param name="cancellationToken">A token to cancel the command (Ctrl+C).</param>
    /// <returns>The exit code: <see cref="Success"/>, <see cref="RuntimeError"/> or <see cref="UsageError"/>.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(arguments, output, error, new StorageOpener(error), cancellationToken);

    /// <summary>Runs one command line with a given storage opener.</summary>
    /// <param name="arguments">The arguments after <c>hpo</c>.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="storage">Opens <c>--storage</c> URLs.</param>
    /// <param name="cancellationToken">A token to cancel the command.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, StorageOpener storage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(storage);

        // Every line on standard error is masked for credentials; --verbose/-v and the storage sources apply to every command.
        var redacting = new RedactingWriter(error);
        error = redacting;
        (arguments, LogLevel logLevel) = Verbosity.Extract(arguments);
        using var loggerFactory = new CliLoggerFactory(error, logLevel);
        try
        {
            return await RunCommandAsync(arguments, output, error, storage, redacting, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await redacting.FlushAsync().ConfigureAwait(false);
        }
    }

    private static async Task<int> RunCommandAsync(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, StorageOpener storage, RedactingWriter redacting, CliLoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (arguments.Count == 0)
        {
            error.Write(Overview());
            return UsageError;
        }

        string first = arguments[0];
        if (first is "-h" or "--help" or "-?" or "help")
        {
            if (arguments.Count > 1 && Find(arguments[1]) is { } topic)
            {
                output.Write(Help(topic));
                return Success;
            }

            output.Write(Overview());
            return Success;
        }

        if (first is "--version")
        {
            output.WriteLine(Version);
            return Success;
        }

        CliCommand? command = Find(first);
        if (command is null)
        {
            error.WriteLine($"hpo: Unknown command '{first}'. Commands: {string.Join(", ", Commands.Select(c => c.Name))}.");
            error.WriteLine("Run 'hpo --help' for usage.");
            return UsageError;
        }

        try
        {
            ParsedOptions options = ParsedOptions.Parse(StorageSource.Apply([.. arguments.Skip(1)], command, storage.Environment, redacting), command.Options);
            if (options.HelpRequested)
            {
                output.Write(Help(command));
                return Success;
            }

            OutputFormat format = options.GetChoice(CliCommand.FormatOption.Name, Formats) ?? OutputFormat.Table;
            OutputDocument document = await command.ExecuteAsync(new CommandContext(storage, error, loggerFactory), options, cancellationToken).ConfigureAwait(false);

            // Rendered whole before anything is printed, so a failure never leaves half a result on standard output.
            using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = output.NewLine };
            OutputWriter.Write(document, format, text);
            // Not cancellable: a worker stopped by SIGTERM still prints its summary.
            await output.WriteAsync(text.ToString().AsMemory(), CancellationToken.None).ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return Success;
        }
        catch (UsageException e)
        {
            error.WriteLine($"hpo {command.Name}: {e.Message}");
            error.WriteLine($"Run 'hpo {command.Name} --help' for usage.");
            return UsageError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"hpo {command.Name}: Cancelled.");
            return RuntimeError;
        }
        catch (Exception e) when (e is CliException or HpoException or IOException or UnauthorizedAccessException or FormatException
            or ArgumentException or InvalidOperationException or KeyNotFoundException or JsonException or NotSupportedException)
        {
            error.WriteLine($"hpo {command.Name}: {StorageOpener.MessageOf(e)}");
            return RuntimeError;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug rather than a user's mistake: still exit 1, with everything needed to report it.
            error.WriteLine($"hpo {command.Name}: unexpected error: {e}");
            return RuntimeError;
        }
    }

    /// <summary>Gets the help of the whole tool.</summary>
    /// <returns>The text.</returns>
    public static string Overview()
    {
        var text = new StringBuilder();
        text.AppendLine($"hpo {Version}: look at and create Hpo studies from a terminal.");
        text.AppendLine();
        text.AppendLine("Usage: hpo COMMAND --storage URL [options] [--format table|json|csv]");
        text.AppendLine();
        text.AppendLine("Commands:");
        int width = Commands.Max(c => c.Name.Length);
        foreach (CliCommand c in Commands)
        {
            text.AppendLine($"  {c.Name.PadRight(width)}  {c.Summary}");
        }

        text.AppendLine();
        text.AppendLine("Storage URLs: sqlite:///relative.db, sqlite:////absolute.db, postgresql://user:password@host:port/database.");
        text.AppendLine("Instead of --storage: --storage-file PATH (the URL on the file's first line) or HPO_STORAGE=URL, which keep a password off the command line.");
        text.AppendLine("Every command: -v/--verbose logs everything from debug up to standard error (warnings and errors only by default).");
        text.AppendLine("Run 'hpo COMMAND --help' for a command's options. Exit codes: 0 ok, 1 error, 2 usage error.");
        return text.ToString();
    }

    /// <summary>Gets the help of one command.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The text.</returns>
    public static string Help(CliCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var text = new StringBuilder();
        text.Append("Usage: hpo ").Append(command.Name);
        foreach (OptionSpec option in command.Options)
        {
            string usage = option.Name == CliCommand.FormatOption.Name ? "--format table|json|csv" : $"{option.Name} {option.ValueName}".TrimEnd();
            text.Append(' ').Append(option.Required ? usage : $"[{usage}]");
        }

        text.AppendLine();
        text.AppendLine();
        text.AppendLine(command.Description);
        text.AppendLine();
        text.AppendLine("Options:");
        var rows = command.Options.Select(o => (Left: $"{o.Name} {o.ValueName}", Right: o.Description + (o.Required ? " Required." : string.Empty)))
            .Concat(command.Options.Contains(CliCommand.StorageOption) ? [(Left: $"{StorageSource.FileOption} PATH", Right: $"Read the storage URL from the file's first line (or set {StorageSource.EnvironmentVariable}): keeps a password off the command line.")] : [])
            .Append((Left: "-v, --verbose", Right: "Log everything from debug up to standard error (warnings and errors only by default)."))
            .Append((Left: "-h, --help", Right: "Show this help."))
            .ToList();
        int width = rows.Max(r => r.Left.Length);
        foreach ((string left, string right) in rows)
        {
            text.AppendLine($"  {left.PadRight(width)}  {right}");
        }

        text.AppendLine();
        text.AppendLine("Exit codes: 0 ok, 1 error (message on standard error), 2 usage error.");
        return text.ToString();
    }

    private static CliCommand? Find(string name) => Commands.FirstOrDefault(c => c.Name == name);
}
