using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Hpo.Cli.Parsing;

/// <summary>
/// The <c>hpo</c> command tree on System.CommandLine. The library splits the command line (response files, <c>--name=value</c> and
/// <c>--name:value</c>), finds the command, assigns each option its values and completes partial command lines (tab completion);
/// <see cref="Bind"/> turns what it parsed into <see cref="ParsedOptions"/>, with the tool's usage errors (each names the option, the
/// rule and the value) and typo suggestions. Running a command stays with <see cref="HpoCli"/>, which owns the exit codes and the
/// graceful stop on SIGTERM.
/// </summary>
internal sealed class CommandLineSyntax
{
    /// <summary>The <c>hpo help [COMMAND]</c> command.</summary>
    public const string HelpCommandName = "help";

    /// <summary>The <c>hpo completion SHELL</c> command.</summary>
    public const string CompletionCommandName = "completion";

    /// <summary>The largest response file read (a command line, not a data file).</summary>
    public const int MaxResponseFileChars = 1024 * 1024;

    /// <summary>The switches that ask for help, anywhere on the command line.</summary>
    public static readonly IReadOnlyList<string> HelpFlags = ["-h", "--help", "-?"];

    private readonly Dictionary<Command, ICommandSpec> commands = [];

    /// <summary>Initializes a new instance of the <see cref="CommandLineSyntax"/> class for these commands.</summary>
    /// <param name="cliCommands">The tool's commands, in help order.</param>
    public CommandLineSyntax(IReadOnlyList<ICommandSpec> cliCommands)
    {
        ArgumentNullException.ThrowIfNull(cliCommands);
        Root = new RootCommand("Look at and create Hpo studies from a terminal.");
        Root.Options.Add(new Option<bool>("--verbose", "-v") { Description = "Log everything from debug up to standard error.", Recursive = true });
        foreach (ICommandSpec cliCommand in cliCommands)
        {
            Command command = BuildCommand(cliCommand.Name, cliCommand.Summary, cliCommand.Options, withStorageFile: cliCommand.Options.Contains(CommonOptions.Storage));
            commands[command] = cliCommand;
            Root.Subcommands.Add(command);
        }

        var topic = new Argument<string>("COMMAND") { Arity = ArgumentArity.ZeroOrOne, Description = "The command whose help to show." };
        topic.CompletionSources.Add([.. cliCommands.Select(c => c.Name), CompletionCommandName]);
        Root.Subcommands.Add(new Command(HelpCommandName, "Show the help of the tool, or of one command.") { topic });

        var shell = new Argument<string>("SHELL") { Arity = ArgumentArity.ZeroOrOne, Description = "bash, zsh or pwsh." };
        shell.CompletionSources.Add([.. CompletionScripts.Shells]);
        Root.Subcommands.Add(new Command(CompletionCommandName, CompletionScripts.Summary) { shell });
    }

    /// <summary>Gets the root of the command tree.</summary>
    public RootCommand Root { get; }

    /// <summary>Parses a command line (the arguments after <c>hpo</c>), expanding response files (<c>@FILE</c>).</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>What the library parsed, and the first response file that could not be read.</returns>
    public Parsed Parse(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var reader = new ResponseFileReader();
        ParseResult result = Root.Parse(arguments, new ParserConfiguration { ResponseFileTokenReplacer = reader.TryRead });
        return new Parsed(result, reader.Error);
    }

    /// <summary>Gets the <c>hpo</c> command a parse result ended in, or <see langword="null"/> for the root, <c>help</c> and <c>completion</c>.</summary>
    /// <param name="result">The parse result.</param>
    /// <returns>The command.</returns>
    public ICommandSpec? CommandOf(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return commands.GetValueOrDefault(result.CommandResult.Command);
    }

    /// <summary>Completes a partial command line as a shell's tab key asks for it.</summary>
    /// <param name="line">The whole line, the program's name first (<c>hpo trials --st</c>).</param>
    /// <param name="position">The cursor's position in <paramref name="line"/>; the end when <see langword="null"/>.</param>
    /// <returns>The words that fit at the cursor, in the library's order.</returns>
    public IReadOnlyList<string> Complete(string line, int? position)
    {
        ArgumentNullException.ThrowIfNull(line);
        int cursor = Math.Clamp(position ?? line.Length, 0, line.Length);

        // The line starts with however the user called the tool (hpo, ./hpo, dotnet hpo): drop the first word and what follows it.
        int start = 0;
        while (start < line.Length && char.IsWhiteSpace(line[start]))
        {
            start++;
        }

        if (line.AsSpan(start).StartsWith("dotnet ", StringComparison.Ordinal))
        {
            start += "dotnet ".Length;
        }

        while (start < line.Length && !char.IsWhiteSpace(line[start]))
        {
            start++;
        }

        if (cursor < start)
        {
            return [];
        }

        while (start < cursor && char.IsWhiteSpace(line[start]))
        {
            start++;
        }

        string rest = line[start..cursor];
        ParseResult result = Root.Parse(rest, new ParserConfiguration { ResponseFileTokenReplacer = null });
        // The library matches anywhere in a word ('st' offers 'best'); a shell completes what the word starts with. Options (and the
        // help's Windows aliases /h and /?) are offered once the word starts with a dash.
        string word = result.GetCompletionContext().WordToComplete;
        return [.. result.GetCompletions(rest.Length)
            .Select(c => c.InsertText ?? c.Label)
            .Where(c => c.StartsWith(word, StringComparison.Ordinal) && (word.Length > 0 || !IsOption(c)))
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Builds the System.CommandLine command for a list of option specs.</summary>
    /// <param name="name">The command's name.</param>
    /// <param name="description">One line of help.</param>
    /// <param name="specs">Its options and positional arguments.</param>
    /// <param name="withStorageFile">Whether to add <c>--storage-file PATH</c> (the commands that take <c>--storage</c>).</param>
    /// <returns>The command.</returns>
    public static Command BuildCommand(string name, string description, IReadOnlyList<OptionSpec> specs, bool withStorageFile = false)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var command = new Command(name, description);
        foreach (OptionSpec spec in specs)
        {
            if (spec.IsPositional)
            {
                var argument = new Argument<string>(spec.Name) { Arity = ArgumentArity.ZeroOrOne, Description = spec.Description };
                AddCompletions(argument.CompletionSources, spec);
                command.Arguments.Add(argument);
                continue;
            }

            Option option = spec.Repeatable
                ? new Option<string[]>(spec.Name) { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false }
                : new Option<string>(spec.Name) { Arity = ArgumentArity.ExactlyOne };
            option.Description = spec.Description;
            option.HelpName = spec.ValueName;
            AddCompletions(option.CompletionSources, spec);
            command.Options.Add(option);
        }

        if (withStorageFile)
        {
            command.Options.Add(new Option<string>(CommonOptions.StorageFile) { Arity = ArgumentArity.ExactlyOne, HelpName = "PATH", Description = "Read the storage URL from the file's first line." });
        }

        return command;
    }

    /// <summary>
    /// Reads the options of the command a parse ended in. <c>-h</c>/<c>--help</c>/<c>-?</c> anywhere wins; otherwise a response file
    /// that cannot be read, an unknown option (with the closest known one), an unexpected argument, a missing or empty value, or an
    /// option given twice is a usage error, the leftmost first. Required options are checked later, by
    /// <see cref="ParsedOptions.ThrowIfMissing"/>, once the storage sources are applied.
    /// </summary>
    /// <param name="parsed">The parse.</param>
    /// <param name="specs">The command's options (<c>--storage-file</c> is read too when the command has it).</param>
    /// <param name="arguments">The arguments as given, to tell an empty <c>--name=</c> from a missing value.</param>
    /// <param name="commandName">The command's name, for the messages; <see langword="null"/> when parsed alone.</param>
    /// <returns>The options.</returns>
    /// <exception cref="UsageException">The arguments do not fit the specs.</exception>
    public static ParsedOptions Bind(Parsed parsed, IReadOnlyList<OptionSpec> specs, IReadOnlyList<string> arguments, string? commandName = null)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(arguments);
        ParseResult result = parsed.Result;
        if (result.Tokens.Any(t => t.Type is TokenType.Option or TokenType.Argument && HelpFlags.Contains(t.Value)))
        {
            return ParsedOptions.Help();
        }

        if (parsed.ResponseFileError is { } responseFileError)
        {
            throw new UsageException(responseFileError);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var problems = new List<(int Position, string Message)>();
        var claimed = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        List<Token> tokens = [.. result.Tokens];
        int PositionOf(Token? token) => token is null ? int.MaxValue : tokens.FindIndex(t => ReferenceEquals(t, token)) is int i and >= 0 ? i : int.MaxValue;

        foreach (string argument in arguments)
        {
            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (argument.StartsWith("--", StringComparison.Ordinal) && equals == argument.Length - 1 && specs.FirstOrDefault(s => s.Name == argument[..equals]) is { } spec)
            {
                throw new UsageException($"Option '{spec.Name}' needs a value ({spec.ValueName}), but got an empty one.");
            }
        }

        IReadOnlyList<OptionSpec> known = [.. specs, .. HasStorageFile(result) ? [StorageFileSpec] : Array.Empty<OptionSpec>()];
        foreach (SymbolResult child in result.CommandResult.Children)
        {
            if (child is OptionResult option && known.FirstOrDefault(s => s.Name == option.Option.Name) is { } spec)
            {
                claimed.UnionWith(option.Tokens);
                int position = PositionOf(option.IdentifierToken);
                if (option.Tokens.Count == 0 || (!spec.Repeatable && option.Tokens[0].Value.StartsWith("--", StringComparison.Ordinal)))
                {
                    problems.Add((position, $"Option '{spec.Name}' needs a value ({spec.ValueName})."));
                }
                else if (option.Tokens.FirstOrDefault(t => string.IsNullOrWhiteSpace(t.Value)) is not null)
                {
                    problems.Add((position, $"Option '{spec.Name}' needs a value ({spec.ValueName}), but got an empty one."));
                }
                else if (spec.Repeatable)
                {
                    lists[spec.Name] = [.. option.Tokens.Select(t => t.Value)];
                }
                else if (option.Tokens.Count > 1)
                {
                    problems.Add((PositionOf(option.Tokens[1]), $"Option '{spec.Name}' is given twice ('{Hpo.Storage.StudyStorage.Redact(option.Tokens[0].Value)}' and '{Hpo.Storage.StudyStorage.Redact(option.Tokens[1].Value)}')."));
                }
                else
                {
                    values[spec.Name] = option.Tokens[0].Value;
                }
            }
            else if (child is ArgumentResult positional && positional.Tokens.Count > 0)
            {
                claimed.UnionWith(positional.Tokens);
                Token token = positional.Tokens[0];
                if (token.Value.StartsWith('-') && token.Value.Length > 1)
                {
                    problems.Add((PositionOf(token), UnknownOption(token.Value, known, commandName)));
                }
                else
                {
                    values[positional.Argument.Name] = token.Value;
                }
            }
        }

        // What no option or argument took: unknown options, stray words, a '--'.
        foreach ((Token token, int position) in tokens.Select((t, i) => (t, i)))
        {
            if (token.Type is TokenType.DoubleDash || (token.Type is TokenType.Argument && !claimed.Contains(token)))
            {
                problems.Add((position, token.Value.StartsWith('-') && token.Value.Length > 2
                    ? UnknownOption(token.Value, known, commandName)
                    : $"Unexpected argument '{token.Value}': options are written --name VALUE."));
            }
        }

        if (problems.Count > 0)
        {
            throw new UsageException(problems.MinBy(p => p.Position).Message);
        }

        return new ParsedOptions(values, lists);
    }

    /// <summary>Says which known words are closest to a mistyped one (see <see cref="TypoCorrection"/>).</summary>
    /// <param name="word">What was typed.</param>
    /// <param name="candidates">The known words.</param>
    /// <returns><c> Did you mean 'X'?</c> (or two words), or an empty string when nothing is close.</returns>
    public static string Suggest(string word, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(word);
        string[] close = [.. TypoCorrection.Closest(word, candidates)];
        return close.Length switch
        {
            0 => string.Empty,
            1 => $" Did you mean '{close[0]}'?",
            _ => $" Did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?",
        };
    }

    private static readonly OptionSpec StorageFileSpec = new(CommonOptions.StorageFile, "PATH", "The storage URL's file.");

    private static bool HasStorageFile(ParseResult result) => result.CommandResult.Command.Options.Any(o => o.Name == CommonOptions.StorageFile);

    private static bool IsOption(string word) => word.StartsWith('-') || word.StartsWith('/');

    private static string UnknownOption(string token, IReadOnlyList<OptionSpec> known, string? commandName)
    {
        int equals = token.IndexOf('=', StringComparison.Ordinal);
        string name = equals > 0 ? token[..equals] : token;
        if (name == CommonOptions.StorageFile && commandName is not null)
        {
            return $"Unknown option '{name}': 'hpo {commandName}' takes no storage.";
        }

        IEnumerable<string> options = known.Where(s => !s.IsPositional).Select(s => s.Name);
        return $"Unknown option '{name}'. Options: {string.Join(", ", known.Select(s => s.Name))}.{Suggest(name, options)}";
    }

    private static void AddCompletions(List<Func<CompletionContext, IEnumerable<CompletionItem>>> sources, OptionSpec spec)
    {
        if (spec.Completions is { Count: > 0 } words)
        {
            sources.Add([.. words]);
        }
    }

    /// <summary>What <see cref="Parse"/> returns.</summary>
    /// <param name="Result">The library's parse result.</param>
    /// <param name="ResponseFileError">Why the first response file that failed could not be read, or <see langword="null"/>.</param>
    internal sealed record Parsed(ParseResult Result, string? ResponseFileError);

    /// <summary>
    /// Reads <c>@FILE</c> response files: one or more arguments a line, quoted as a POSIX shell quotes them (no expansion), blank lines
    /// and lines starting with <c>#</c> skipped. The library's own reader splits at every space, so a quoted path or command would break.
    /// </summary>
    private sealed class ResponseFileReader
    {
        public string? Error { get; private set; }

        public bool TryRead(string tokenToReplace, out IReadOnlyList<string>? replacementTokens, out string? errorMessage)
        {
            replacementTokens = null;
            errorMessage = null;
            string path = tokenToReplace.StartsWith('@') ? tokenToReplace[1..] : tokenToReplace;
            string full = Path.GetFullPath(path.Length == 0 ? "." : path);
            try
            {
                if (path.Length == 0 || !File.Exists(full))
                {
                    return Fail($"Response file '@{path}' does not exist: '{full}'. Arguments that start with '@' name a file of arguments.", out errorMessage);
                }

                // Read a bounded block rather than lines: '@/dev/zero' must fail, not hang.
                char[] buffer = new char[MaxResponseFileChars + 1];
                int count;
                using (var reader = new StreamReader(full))
                {
                    count = reader.ReadBlock(buffer, 0, buffer.Length);
                }

                if (count > MaxResponseFileChars)
                {
                    return Fail($"Response file '@{path}' must hold at most {MaxResponseFileChars / 1024} KiB of arguments, but '{full}' holds more.", out errorMessage);
                }

                var words = new List<string>();
                string[] lines = new string(buffer, 0, count).Split('\n');
                for (int i = 0; i < lines.Length; i++)
                {
                    string trimmed = lines[i].Trim();
                    if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                    {
                        continue;
                    }

                    try
                    {
                        words.AddRange(CommandWords.Split(trimmed));
                    }
                    catch (UsageException e)
                    {
                        return Fail($"Response file '@{path}', line {(i + 1).ToString(CultureInfo.InvariantCulture)}: {e.Message}", out errorMessage);
                    }
                }

                replacementTokens = words;
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail($"Response file '@{path}' cannot be read: '{full}' ({e.GetType().Name}: {e.Message}).", out errorMessage);
            }
        }

        private bool Fail(string message, out string? errorMessage)
        {
            Error ??= message;
            errorMessage = message;
            return false;
        }
    }
}
