using System.Globalization;

namespace Hpo.Benchmarks;

/// <summary>Parses <c>--name value</c> options of a subcommand; every option must be known and appear once.</summary>
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
        Command = command;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"{command}: expected an option (--name value), but got '{a}'.");
            }

            string name = a[2..];
            string? value = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new UsageException($"{command}: unknown option --{name}. Known: {string.Join(", ", known.Select(k => "--" + k))}.");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"{command}: option --{name} needs a value.");
                }

                value = args[++i];
            }

            if (!values.TryAdd(name, value))
            {
                throw new UsageException($"{command}: option --{name} is given twice.");
            }
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
