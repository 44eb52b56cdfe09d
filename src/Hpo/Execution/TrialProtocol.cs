using System.Globalization;
using System.Text;
using System.Text.Json;
using Hpo.SearchSpaces;

namespace Hpo.Execution;

/// <summary>
/// The names of the trial protocol that out-of-process trials speak (child processes, containers): the environment variables a
/// trial program receives and the lines it prints on standard output. The package README documents it as a public contract.
/// </summary>
public static class TrialProtocol
{
    /// <summary>The environment variable with the protocol version (<c>1</c>).</summary>
    public const string VersionVariable = "HPO_PROTOCOL_VERSION";

    /// <summary>The environment variable with the trial's number.</summary>
    public const string TrialNumberVariable = "HPO_TRIAL_NUMBER";

    /// <summary>The environment variable with the study's name.</summary>
    public const string StudyNameVariable = "HPO_STUDY_NAME";

    /// <summary>The environment variable with the trial's active parameters as a JSON object (absent when larger than <see cref="MaxInlineJsonLength"/>).</summary>
    public const string ParametersVariable = "HPO_PARAMETERS";

    /// <summary>The environment variable with the path of a file holding the same JSON as <see cref="ParametersVariable"/> (always set).</summary>
    public const string ParametersFileVariable = "HPO_PARAMETERS_FILE";

    /// <summary>The environment variable with the study's search space as JSON (absent when larger than <see cref="MaxInlineJsonLength"/>).</summary>
    public const string SearchSpaceVariable = "HPO_SEARCH_SPACE";

    /// <summary>The environment variable with the path of a file holding the search-space JSON (always set).</summary>
    public const string SearchSpaceFileVariable = "HPO_SEARCH_SPACE_FILE";

    /// <summary>The environment variable with the trial's own artifacts directory (created before the program starts).</summary>
    public const string ArtifactsDirectoryVariable = "HPO_ARTIFACTS_DIR";

    /// <summary>The protocol version this library speaks.</summary>
    public const int Version = 1;

    /// <summary>The longest JSON (in characters) passed inline in an environment variable; larger documents go through the file only.</summary>
    public const int MaxInlineJsonLength = 32 * 1024;

    /// <summary>The prefix of every protocol line; any other output line is the trial's log.</summary>
    public const string LinePrefix = "hpo:";

    /// <summary>The trial user attribute that holds the last part of the trial's log.</summary>
    public const string LogTailAttribute = "hpo.log_tail";

    /// <summary>The trial user attribute that holds the trial's artifacts directory.</summary>
    public const string ArtifactsDirectoryAttribute = "hpo.artifacts_dir";

    /// <summary>The trial user attribute that holds the trial program's exit code.</summary>
    public const string ExitCodeAttribute = "hpo.exit_code";

    /// <summary>The name of the file, in the artifacts directory, that holds the whole log.</summary>
    public const string LogFileName = "trial.log";

    /// <summary>Formats a value as the protocol writes numbers: invariant round-trip form, with <c>nan</c>, <c>inf</c> and <c>-inf</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatNumber(double value) =>
        double.IsNaN(value) ? "nan"
        : double.IsPositiveInfinity(value) ? "inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Formats a <c>hpo:report</c> line.</summary>
    /// <param name="step">The step.</param>
    /// <param name="value">The intermediate value.</param>
    /// <returns>The line, without a line break.</returns>
    public static string FormatReport(long step, double value) => $"{LinePrefix}report {step.ToString(CultureInfo.InvariantCulture)} {FormatNumber(value)}";

    /// <summary>Formats a <c>hpo:result</c> line.</summary>
    /// <param name="value">The final value.</param>
    /// <returns>The line, without a line break.</returns>
    public static string FormatResult(double value) => $"{LinePrefix}result {FormatNumber(value)}";

    /// <summary>Formats a <c>hpo:attr</c> line.</summary>
    /// <param name="key">The attribute's key: not empty, no white space.</param>
    /// <param name="value">The attribute's value: one line.</param>
    /// <returns>The line, without a line break.</returns>
    /// <exception cref="ArgumentException">The key is empty or holds white space, or the value holds a line break.</exception>
    public static string FormatAttribute(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"An attribute key cannot hold white space, but got \"{key}\".", nameof(key));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("An attribute value must be one line: it cannot hold '\\r' or '\\n'.", nameof(value));
        }

        return $"{LinePrefix}attr {key} {value}";
    }

    /// <summary>Parses a protocol number: invariant form, or <c>nan</c>, <c>inf</c>, <c>+inf</c>, <c>-inf</c> (also <c>infinity</c>, any case).</summary>
    internal static bool TryParseNumber(string text, out double value)
    {
        switch (text.ToUpperInvariant())
        {
            case "NAN":
                value = double.NaN;
                return true;
            case "INF" or "+INF" or "INFINITY" or "+INFINITY":
                value = double.PositiveInfinity;
                return true;
            case "-INF" or "-INFINITY":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>Parses one output line. Returns <see langword="null"/> for a log line; a malformed protocol line gives a <see cref="ProtocolLine"/> with an error.</summary>
    internal static ProtocolLine? Parse(string line)
    {
        if (!line.StartsWith(LinePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        string body = line[LinePrefix.Length..].TrimEnd('\r');
        int space = body.IndexOf(' ', StringComparison.Ordinal);
        string verb = space < 0 ? body : body[..space];
        string rest = space < 0 ? string.Empty : body[(space + 1)..];
        switch (verb)
        {
            case "report":
                string[] parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long step) && TryParseNumber(parts[1], out double reported))
                {
                    return new ProtocolLine(ProtocolLineKind.Report, step, reported, null, null, null);
                }

                return ProtocolLine.Malformed("expected 'hpo:report <step> <value>' with an integer step and a number");
            case "result":
                return TryParseNumber(rest.Trim(), out double result)
                    ? new ProtocolLine(ProtocolLineKind.Result, 0, result, null, null, null)
                    : ProtocolLine.Malformed("expected 'hpo:result <value>' with a number");
            case "pruned":
                if (rest.Trim().Length == 0)
                {
                    return new ProtocolLine(ProtocolLineKind.Pruned, 0, null, null, null, null);
                }

                return TryParseNumber(rest.Trim(), out double last)
                    ? new ProtocolLine(ProtocolLineKind.Pruned, 0, last, null, null, null)
                    : ProtocolLine.Malformed("expected 'hpo:pruned' or 'hpo:pruned <value>' with a number");
            case "attr":
                int keyEnd = rest.IndexOf(' ', StringComparison.Ordinal);
                string key = keyEnd < 0 ? rest : rest[..keyEnd];
                return key.Length == 0
                    ? ProtocolLine.Malformed("expected 'hpo:attr <key> <value>' with a key")
                    : new ProtocolLine(ProtocolLineKind.Attribute, 0, null, key, keyEnd < 0 ? string.Empty : rest[(keyEnd + 1)..], null);
            default:
                return ProtocolLine.Malformed($"unknown verb '{verb}' (expected report, result, pruned or attr)");
        }
    }

    /// <summary>Writes the active parameters as a JSON object whose values read back with the same types.</summary>
    internal static string WriteParameters(IReadOnlyDictionary<string, object> parameters)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach ((string name, object value) in parameters)
            {
                w.WritePropertyName(name);
                SearchSpaceJson.WriteValue(w, value is float f ? (double)f : value is int i ? (long)i : value);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Reads a parameters JSON object. With a search space, floats read as <see cref="double"/>, integers as <see cref="long"/> and
    /// a categorical as its own choice (with the choice's type); without one, by the JSON (an integer literal is a <see cref="long"/>).
    /// </summary>
    internal static Dictionary<string, object> ReadParameters(string json, SearchSpace? space)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"The parameters JSON must be an object, but it is {document.RootElement.ValueKind}.");
        }

        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (JsonProperty p in document.RootElement.EnumerateObject())
        {
            string where = $"parameter '{p.Name}'";
            object raw = SearchSpaceJson.ReadValue(p.Value, where);
            result[p.Name] = space is not null && space.Contains(p.Name) ? Typed(p.Name, raw, space[p.Name].Distribution) : raw;
        }

        return result;
    }

    private static object Typed(string name, object raw, Distribution distribution) => distribution switch
    {
        FloatDistribution => raw switch
        {
            double d => d,
            long l => (double)l,
            _ => throw new FormatException($"Parameter '{name}' is a float, but the JSON holds {raw}."),
        },
        IntDistribution => raw switch
        {
            long l => l,
            double d when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => (long)d,
            _ => throw new FormatException($"Parameter '{name}' is an integer, but the JSON holds {raw}."),
        },
        CategoricalDistribution c => c.Choices.FirstOrDefault(choice => SameChoice(choice, raw))
            ?? throw new FormatException($"Parameter '{name}' has the value {raw}, which is not one of its choices."),
        _ => raw,
    };

    private static bool SameChoice(object choice, object raw) => (choice, raw) switch
    {
        (double d, long l) => d == l,
        (long l, double d) => d == l,
        _ => choice.Equals(raw),
    };
}

/// <summary>The kinds of protocol line.</summary>
internal enum ProtocolLineKind
{
    Report,
    Result,
    Pruned,
    Attribute,
    Malformed,
}

/// <summary>One parsed protocol line.</summary>
internal sealed record ProtocolLine(ProtocolLineKind Kind, long Step, double? Value, string? Key, string? Text, string? Error)
{
    public static ProtocolLine Malformed(string error) => new(ProtocolLineKind.Malformed, 0, null, null, null, error);
}
