using System.Globalization;

namespace Hpo.Cli.Parsing;

/// <summary>The options given to one command, checked against its <see cref="OptionSpec"/>s, with typed readers that fail as usage errors.</summary>
internal sealed class ParsedOptions
{
    private readonly Dictionary<string, string> values;
    private readonly Dictionary<string, List<string>> lists;

    /// <summary>Initializes a new instance of the <see cref="ParsedOptions"/> class.</summary>
    /// <param name="values">Each single-valued option's text (a positional argument's by its name), by name.</param>
    /// <param name="lists">Each repeatable option's values, in command-line order, by name.</param>
    public ParsedOptions(IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, List<string>> lists)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(lists);
        this.values = new Dictionary<string, string>(values, StringComparer.Ordinal);
        this.lists = new Dictionary<string, List<string>>(lists, StringComparer.Ordinal);
    }

    /// <summary>Gets a value indicating whether <c>-h</c> or <c>--help</c> was given (then nothing else is checked).</summary>
    public bool HelpRequested { get; private init; }

    /// <summary>Gets the options of a command line that asked for help.</summary>
    /// <returns>Options with nothing in them but <see cref="HelpRequested"/>.</returns>
    public static ParsedOptions Help() => new(new Dictionary<string, string>(), new Dictionary<string, List<string>>()) { HelpRequested = true };

    /// <summary>
    /// Parses the arguments after a command's name against its specs with System.CommandLine (see <see cref="CommandLineSyntax.Bind"/>):
    /// <c>--name value</c>, <c>--name=value</c> and <c>--name:value</c>, positional arguments for the specs whose name has no leading
    /// dashes (in their order, for example <c>KIND</c> in <c>hpo plot KIND</c>), and <c>@FILE</c> response files. <c>-h</c>/<c>--help</c>
    /// anywhere wins; otherwise an unknown option, an unexpected positional argument, a missing value, a repeated option or a missing
    /// required option is a usage error.
    /// </summary>
    /// <param name="arguments">The arguments after the command name.</param>
    /// <param name="specs">The options the command accepts.</param>
    /// <returns>The options.</returns>
    /// <exception cref="UsageException">The arguments do not fit the specs.</exception>
    public static ParsedOptions Parse(IReadOnlyList<string> arguments, IReadOnlyList<OptionSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(specs);
        var syntax = new CommandLineSyntax([]);
        syntax.Root.Subcommands.Add(CommandLineSyntax.BuildCommand("command", "The command.", specs));
        ParsedOptions options = CommandLineSyntax.Bind(syntax.Parse(["command", .. arguments]), specs, arguments);
        if (!options.HelpRequested)
        {
            options.ThrowIfMissing(specs);
        }

        return options;
    }

    /// <summary>Fails when a required option was not given.</summary>
    /// <param name="specs">The command's options.</param>
    /// <exception cref="UsageException">A required option is missing: the first, in the specs' order.</exception>
    public void ThrowIfMissing(IReadOnlyList<OptionSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        foreach (OptionSpec spec in specs.Where(s => s.Required && !values.ContainsKey(s.Name) && !lists.ContainsKey(s.Name)))
        {
            throw new UsageException($"Option '{$"{spec.Name} {spec.ValueName}".TrimEnd()}' is required.");
        }
    }

    /// <summary>Gets these options with one more (or one replaced) single value.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The new options.</returns>
    public ParsedOptions With(string name, string value) =>
        new(new Dictionary<string, string>(values, StringComparer.Ordinal) { [name] = value }, lists);

    /// <summary>Gets these options without one option.</summary>
    /// <param name="name">The option's name.</param>
    /// <returns>The new options.</returns>
    public ParsedOptions Without(string name)
    {
        var rest = new Dictionary<string, string>(values, StringComparer.Ordinal);
        rest.Remove(name);
        return new(rest, lists);
    }

    /// <summary>Gets an option's text, or <see langword="null"/> when it was not given.</summary>
    /// <param name="name">The option's name, with its dashes.</param>
    /// <returns>The value.</returns>
    public string? Get(string name) => values.GetValueOrDefault(name);

    /// <summary>Gets every value of a repeatable option, in command-line order (empty when it was not given).</summary>
    /// <param name="name">The option's name, with its dashes.</param>
    /// <returns>The values.</returns>
    public IReadOnlyList<string> GetAll(string name) => lists.TryGetValue(name, out List<string>? list) ? list : [];

    /// <summary>The longest duration option accepted when a command gives no smaller bound: 49 days (a .NET timer waits at most 49.7).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(49);

    /// <summary>
    /// Gets a duration option: a number of seconds, or a number with the unit <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c> (<c>90</c>, <c>1.5m</c>, <c>2h</c>).
    /// </summary>
    /// <param name="name">The option's name.</param>
    /// <param name="maximum">The longest duration accepted; <see cref="MaxDuration"/> when <see langword="null"/>.</param>
    /// <param name="minimum">The shortest duration accepted; anything above zero when <see langword="null"/>.</param>
    /// <returns>The value, or <see langword="null"/> when it was not given.</returns>
    /// <exception cref="UsageException">The value is not a positive duration within the bounds.</exception>
    public TimeSpan? GetDuration(string name, TimeSpan? maximum = null, TimeSpan? minimum = null)
    {
        string? text = Get(name);
        if (text is null)
        {
            return null;
        }

        TimeSpan max = maximum ?? MaxDuration;
        (string number, double unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value <= 0)
        {
            throw new UsageException($"Option '{name}' must be a positive duration in seconds, or with a unit (ms, s, m, h: '90', '1.5m', '2h'), but got '{text}'.");
        }

        double seconds = value * unit;
        if (!double.IsFinite(seconds) || seconds > max.TotalSeconds)
        {
            throw new UsageException($"Option '{name}' must be at most {Describe(max)}, but got '{text}'.{(maximum is null ? " Leave it out for no limit." : string.Empty)}");
        }

        if (minimum is TimeSpan min && seconds < min.TotalSeconds)
        {
            throw new UsageException($"Option '{name}' must be at least {Describe(min)}, but got '{text}'.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Writes a duration as the options take it: <c>49 days (1176h)</c>, <c>1h</c>, <c>30s</c>, <c>0.1s</c>.</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The text.</returns>
    public static string Describe(TimeSpan duration) => duration switch
    {
        _ when duration >= TimeSpan.FromDays(2) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalDays:0.#} days ({duration.TotalHours:0.#}h)"),
        _ when duration >= TimeSpan.FromHours(1) && duration.Ticks % TimeSpan.TicksPerHour == 0 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalHours:0}h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s"),
    };

    /// <summary>Gets a required option's text.</summary>
    /// <param name="name">The option's name, with its dashes.</param>
    /// <returns>The value.</returns>
    /// <exception cref="UsageException">The option was not given.</exception>
    public string GetRequired(string name) => Get(name) ?? throw new UsageException($"Option '{name}' is required.");

    /// <summary>Gets a whole-number option.</summary>
    /// <param name="name">The option's name.</param>
    /// <param name="minimum">The smallest value allowed.</param>
    /// <returns>The value, or <see langword="null"/> when it was not given.</returns>
    /// <exception cref="UsageException">The value is not a whole number at least <paramref name="minimum"/>.</exception>
    public int? GetInt32(string name, int minimum = int.MinValue)
    {
        string? text = Get(name);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            throw new UsageException($"Option '{name}' must be a whole number, but got '{text}'.");
        }

        return value >= minimum
            ? value
            : throw new UsageException($"Option '{name}' must be at least {minimum.ToString(CultureInfo.InvariantCulture)}, but got {text}.");
    }

    /// <summary>Gets a positive number option.</summary>
    /// <param name="name">The option's name.</param>
    /// <returns>The value, or <see langword="null"/> when it was not given.</returns>
    /// <exception cref="UsageException">The value is not a finite number greater than zero.</exception>
    public double? GetPositiveDouble(string name)
    {
        string? text = Get(name);
        if (text is null)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value > 0
            ? value
            : throw new UsageException($"Option '{name}' must be a number greater than zero, but got '{text}'.");
    }

    /// <summary>Gets an option that takes one of a few words (case-insensitive).</summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="name">The option's name.</param>
    /// <param name="choices">The accepted words and what each means, in the order the error message lists them.</param>
    /// <returns>The chosen value, or <see langword="null"/> when the option was not given.</returns>
    /// <exception cref="UsageException">The value is none of the words.</exception>
    public T? GetChoice<T>(string name, IReadOnlyList<KeyValuePair<string, T>> choices)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(choices);
        string? text = Get(name);
        if (text is null)
        {
            return null;
        }

        foreach (KeyValuePair<string, T> choice in choices)
        {
            if (string.Equals(choice.Key, text, StringComparison.OrdinalIgnoreCase))
            {
                return choice.Value;
            }
        }

        throw new UsageException($"Option '{name}' must be one of {string.Join(", ", choices.Select(c => c.Key))}, but got '{text}'.");
    }
}
