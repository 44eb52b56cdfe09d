using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Hpo.Benchmarks;

/// <summary>
/// Parses <c>--name value</c> (or <c>--name=value</c>) options of a subcommand with System.CommandLine; every option must be known and
/// appear once. An unknown option is named with the closest known one.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="CommandLine"/> class.</summary>
    /// <param name="command">The subcommand, for messages.</param>
    /// <param name="args">The arguments after the subcommand.</param>
    /// <param name="known">The option names it accepts, without dashes.</param>
    /// <exception cref="UsageException">An option is unknown, repeated or has no value.</exception>
    public CommandLine(string command, IReadOnlyList<string> args, params string[] known)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(known);
        Command = command;
        var syntax = new Command(command);
        foreach (string name in known)
        {
            syntax.Options.Add(new Option<string>("--" + name) { Arity = ArgumentArity.ExactlyOne });
        }

        ParseResult result = syntax.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        foreach (OptionResult option in result.CommandResult.Children.OfType<OptionResult>())
        {
            string name = option.Option.Name[2..];
            values[name] = option.Tokens.Count switch
            {
                0 => throw new UsageException($"{command}: option --{name} needs a value."),
                1 => option.Tokens[0].Value,
                _ => throw new UsageException($"{command}: option --{name} is given twice."),
            };
        }

        if (result.UnmatchedTokens.FirstOrDefault() is { } unmatched)
        {
            if (!unmatched.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"{command}: expected an option (--name value), but got '{unmatched}'.");
            }

            string name = unmatched.Split('=')[0];
            string[] options = [.. known.Select(k => "--" + k)];
            string? closest = Hpo.Cli.Parsing.TypoCorrection.Closest(name, options).FirstOrDefault();
            throw new UsageException($"{command}: unknown option {name}.{(closest is null ? string.Empty : $" Did you mean {closest}?")} Known: {string.Join(", ", options)}.");
        }
    }

    /// <summary>Gets the subcommand's name.</summary>
    public string Command { get; }

    /// <summary>Gets a string option.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="fallback">The value when it is absent; <see langword="null"/> makes it required.</param>
    /// <returns>The value.</returns>
    public string String(string name, string? fallback = null) =>
        values.TryGetValue(name, out string? v) ? v : fallback ?? throw new UsageException($"{Command}: option --{name} is required.");

    /// <summary>Gets a positive integer option.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="fallback">The value when it is absent; <see langword="null"/> makes it required.</param>
    /// <returns>The value.</returns>
    public int PositiveInt(string name, int? fallback = null)
    {
        if (!values.TryGetValue(name, out string? v))
        {
            return fallback ?? throw new UsageException($"{Command}: option --{name} is required.");
        }

        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new UsageException($"{Command}: --{name} must be a positive integer, but got '{v}'.");
    }

    /// <summary>Gets a non-negative integer option.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="fallback">The value when it is absent.</param>
    /// <returns>The value.</returns>
    public int NonNegativeInt(string name, int fallback)
    {
        if (!values.TryGetValue(name, out string? v))
        {
            return fallback;
        }

        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0
            ? n
            : throw new UsageException($"{Command}: --{name} must be a non-negative integer, but got '{v}'.");
    }

    /// <summary>Determines whether an option was given.</summary>
    /// <param name="name">The option's name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Has(string name) => values.ContainsKey(name);
}

/// <summary>A command line the benchmark cannot run: printed to standard error with exit code 2.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="UsageException"/> class.</summary>
    public UsageException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UsageException"/> class.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UsageException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
