using System.Globalization;

namespace Hpo.Cli.Parsing;

/// <summary>The options given to one command, checked against its <see cref="OptionSpec"/>s, with typed readers that fail as usage errors.</summary>
internal sealed class ParsedOptions
{
    private readonly Dictionary<string, string> values;
    private readonly Dictionary<string, List<string>> lists;

    private ParsedOptions(Dictionary<string, string> values, Dictionary<string, List<string>> lists, bool helpRequested)
    {
        this.values = values;
        this.lists = lists;
        HelpRequested = helpRequested;
    }

    /// <summary>Gets a value indicating whether <c>-h</c> or <c>--help</c> was given (then nothing else is checked).</summary>
    public bool HelpRequested { get; }

    /// <summary>
    /// Parses <c>--name value</c> and <c>--name=value</c> pairs, and positional arguments for the specs whose name does not start with
    /// <c>--</c> (in their order, for example <c>KIND</c> in <c>hpo plot KIND</c>). <c>-h</c>/<c>--help</c> anywhere wins; otherwise an
    /// unknown option, an unexpected positional argument, a missing value, a repeated option or a missing required option is a usage error.
    /// </summary>
    /// <param name="arguments">The arguments after the command name.</param>
    /// <param name="specs">The options the command accepts.</param>
    /// <returns>The options.</returns>
    /// <exception cref="UsageException">The arguments do not fit the specs.</exception>
    public static ParsedOptions Parse(IReadOnlyList<string> arguments, IReadOnlyList<OptionSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(specs);
        if (arguments.Any(a => a is "-h" or "--help" or "-?"))
        {
            return new ParsedOptions(new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, List<string>>(StringComparer.Ordinal), helpRequested: true);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var positionals = new Queue<OptionSpec>(specs.Where(s => !s.Name.StartsWith("--", StringComparison.Ordinal)));
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal) && positionals.TryDequeue(out OptionSpec? positional))
            {
                values[positional.Name] = argument;
                continue;
            }

            if (!argument.StartsWith("--", StringComparison.Ordinal) || argument.Length == 2)
            {
                throw new UsageException($"Unexpected argument '{argument}': options are written --name VALUE.");
            }

            string name = argument;
            string? value = null;
            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = argument[..equals];
                value = argument[(equals + 1)..];
            }

            OptionSpec spec = specs.FirstOrDefault(s => s.Name == name)
                ?? throw new UsageException($"Unknown option '{name}'. Options: {string.Join(", ", specs.Select(s => s.Name))}.");
            if (value is null)
            {
                if (i + 1 >= arguments.Count || (!spec.Repeatable && arguments[i + 1].StartsWith("--", StringComparison.Ordinal)))
                {
                    throw new UsageException($"Option '{name}' needs a value ({spec.ValueName}).");
                }

                value = arguments[++i];
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                throw new UsageException($"Option '{name}' needs a value ({spec.ValueName}), but got an empty one.");
            }

            if (spec.Repeatable)
            {
                if (!lists.TryGetValue(name, out List<string>? list))
                {
                    lists[name] = list = [];
                }

                list.Add(value);
            }
            else if (!values.TryAdd(name, value))
            {
                throw new UsageException($"Option '{name}' is given twice ('{Hpo.Storage.StudyStorage.Redact(values[name])}' and '{Hpo.Storage.StudyStorage.Redact(value)}').");
            }
        }

        foreach (OptionSpec spec in specs.Where(s => s.Required && !values.ContainsKey(s.Name) && !lists.ContainsKey(s.Name)))
        {
            throw new UsageException($"Option '{spec.Name} {spec.ValueName}' is required.");
        }

        return new ParsedOptions(values, lists, helpRequested: false);
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
