using System.Reflection;
using System.Text;
using System.CommandLine;
using System.CommandLine.Parsing;
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
        (IReadOnlyList<string> rest, LogLevel logLevel) = Verbosity.Extract(arguments);
        using var loggerFactory = new CliLoggerFactory(error, logLevel);
        try
        {
            return await RunCommandAsync(arguments, rest, output, error, storage, redacting, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await redacting.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Gets the command tree System.CommandLine parses with.</summary>
    internal static CommandLineSyntax Syntax => LazySyntax.Value;

    private static readonly Lazy<CommandLineSyntax> LazySyntax = new(() => new CommandLineSyntax(Commands));

    private static async Task<int> RunCommandAsync(IReadOnlyList<string> arguments, IReadOnlyList<string> rest, TextWriter output, TextWriter error, StorageOpener storage, RedactingWriter redacting, CliLoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (rest.Count == 0)
        {
            error.Write(Overview());
            return UsageError;
        }

        // hpo [suggest:POSITION] "LINE": what the completion scripts ask on each Tab (System.CommandLine's suggest directive).
        if (SuggestPosition(rest[0]) is { } suggest)
        {
            foreach (string word in Syntax.Complete(rest.Count > 1 ? rest[1] : string.Empty, suggest.Position))
            {
                output.WriteLine(word);
            }

            return Success;
        }

        if (rest[0] is "--version")
        {
            output.WriteLine(Version);
            return Success;
        }

        CommandLineSyntax.Parsed parsed = Syntax.Parse(arguments);
        ParseResult result = parsed.Result;
        CliCommand? command = Syntax.CommandOf(result) as CliCommand;
        bool help = result.Tokens.Any(t => t.Type is TokenType.Option or TokenType.Argument && CommandLineSyntax.HelpFlags.Contains(t.Value));
        if (command is null)
        {
            return RunToolCommand(result, parsed.ResponseFileError, help, output, error);
        }

        // Every --storage value is a secret from here on, before any message can quote it.
        foreach (Token token in result.CommandResult.Children.OfType<OptionResult>().Where(o => o.Option.Name == CommonOptions.Storage.Name).SelectMany(o => o.Tokens))
        {
            redacting.AddSecretsOf(token.Value);
        }

        try
        {
            ParsedOptions options = CommandLineSyntax.Bind(parsed, command.Options, rest, command.Name);
            if (options.HelpRequested)
            {
                output.Write(Help(command));
                return Success;
            }

            options = StorageSource.Apply(options, command, storage.Environment, redacting);
            options.ThrowIfMissing(command.Options);
            OutputFormat format = options.GetChoice(CommonOptions.Format.Name, Formats) ?? OutputFormat.Table;
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

    /// <summary>The tool's own commands: none (an unknown command), <c>help [COMMAND]</c> and <c>completion SHELL</c>.</summary>
    private static int RunToolCommand(ParseResult result, string? responseFileError, bool help, TextWriter output, TextWriter error)
    {
        string name = result.CommandResult.Command.Name;
        Token[] words = [.. result.Tokens.Where(t => t.Type is TokenType.Argument)];
        if (name == CommandLineSyntax.HelpCommandName)
        {
            output.Write(words.Length > 0 && Find(words[0].Value) is { } topic ? Help(topic)
                : words.Length > 0 && words[0].Value == CommandLineSyntax.CompletionCommandName ? CompletionScripts.Help()
                : Overview());
            return Success;
        }

        if (help)
        {
            output.Write(name == CommandLineSyntax.CompletionCommandName ? CompletionScripts.Help() : Overview());
            return Success;
        }

        if (responseFileError is not null)
        {
            return Usage(error, name == CommandLineSyntax.CompletionCommandName ? $"hpo {name}" : "hpo", responseFileError);
        }

        if (name == CommandLineSyntax.CompletionCommandName)
        {
            try
            {
                if (words.Length > 1)
                {
                    throw new UsageException($"Unexpected argument '{words[1].Value}': 'hpo completion' takes one shell.");
                }

                output.Write(CompletionScripts.For(words.FirstOrDefault()?.Value));
                return Success;
            }
            catch (UsageException e)
            {
                return Usage(error, $"hpo {name}", e.Message);
            }
        }

        // The root: no command, or an unknown one, or an option the tool does not take.
        string? first = result.UnmatchedTokens.FirstOrDefault();
        if (first is null)
        {
            error.Write(Overview());
            return UsageError;
        }

        string[] names = [.. Commands.Select(c => c.Name), CommandLineSyntax.HelpCommandName, CommandLineSyntax.CompletionCommandName];
        return first.StartsWith('-')
            ? Usage(error, "hpo", $"Unknown option '{first}'. Options before the command: -v/--verbose, -h/--help, --version.{CommandLineSyntax.Suggest(first, ["--verbose", "--help", "--version"])}")
            : Usage(error, "hpo", $"Unknown command '{first}'. Commands: {string.Join(", ", names)}.{CommandLineSyntax.Suggest(first, names)}");
    }

    private static int Usage(TextWriter error, string who, string message)
    {
        error.WriteLine($"{who}: {message}");
        error.WriteLine($"Run '{who} --help' for usage.");
        return UsageError;
    }

    private static (int? Position, bool Found)? SuggestPosition(string argument)
    {
        if (!argument.StartsWith("[suggest", StringComparison.Ordinal) || !argument.EndsWith(']'))
        {
            return null;
        }

        string inner = argument[1..^1];
        if (inner == "suggest")
        {
            return (null, true);
        }

        return inner.StartsWith("suggest:", StringComparison.Ordinal)
            && int.TryParse(inner["suggest:".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int position)
            ? (position, true) : null;
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
        int width = Math.Max(Commands.Max(c => c.Name.Length), CommandLineSyntax.CompletionCommandName.Length);
        foreach (CliCommand c in Commands)
        {
            text.AppendLine($"  {c.Name.PadRight(width)}  {c.Summary}");
        }

        text.AppendLine($"  {CommandLineSyntax.CompletionCommandName.PadRight(width)}  {CompletionScripts.Summary}");

        text.AppendLine();
        text.AppendLine("Storage URLs: sqlite:///relative.db, sqlite:////absolute.db, postgresql://user:password@host:port/database.");
        text.AppendLine("Instead of --storage: --storage-file PATH (the URL on the file's first line) or HPO_STORAGE=URL, which keep a password off the command line.");
        text.AppendLine("Every command: -v/--verbose logs everything from debug up to standard error (warnings and errors only by default).");
        text.AppendLine("Response files: @FILE anywhere stands for the arguments in FILE (one or more a line, quoted as in a POSIX shell; '#' starts a comment line).");
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
            string usage = option.Name == CommonOptions.Format.Name ? "--format table|json|csv" : $"{option.Name} {option.ValueName}".TrimEnd();
            text.Append(' ').Append(option.Required ? usage : $"[{usage}]");
        }

        text.AppendLine();
        text.AppendLine();
        text.AppendLine(command.Description);
        text.AppendLine();
        text.AppendLine("Options:");
        var rows = command.Options.Select(o => (Left: $"{o.Name} {o.ValueName}", Right: o.Description + (o.Required ? " Required." : string.Empty)))
            .Concat(command.Options.Contains(CommonOptions.Storage) ? [(Left: $"{CommonOptions.StorageFile} PATH", Right: $"Read the storage URL from the file's first line (or set {StorageSource.EnvironmentVariable}): keeps a password off the command line.")] : [])
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
