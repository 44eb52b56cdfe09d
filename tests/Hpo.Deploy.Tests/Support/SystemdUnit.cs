namespace Hpo.Deploy.Tests.Support;

/// <summary>A systemd unit file read simply: [Section] headers, Key=Value lines (a key may repeat), # and ; comments.</summary>
public sealed class SystemdUnit
{
    public const string File = "deploy/vm/hpo-worker.service";

    private readonly List<(string Section, string Key, string Value)> entries;

    private SystemdUnit(List<(string Section, string Key, string Value)> entries) => this.entries = entries;

    public IEnumerable<string> Sections => entries.Select(e => e.Section).Distinct(StringComparer.Ordinal);

    public static SystemdUnit Load() => Parse(Repository.Read(File));

    /// <exception cref="FormatException">A line is neither a section header, an assignment, a comment nor blank.</exception>
    public static SystemdUnit Parse(string text)
    {
        var entries = new List<(string, string, string)>();
        string? section = null;
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || section is null)
            {
                throw new FormatException($"Line {number} is not 'Key=Value' inside a section: '{line}'.");
            }

            entries.Add((section, line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }

        return new SystemdUnit(entries);
    }

    public IReadOnlyList<string> All(string section, string key) =>
        entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value).ToList();

    /// <summary>Gets the value of a key that must appear once.</summary>
    public string Single(string section, string key)
    {
        IReadOnlyList<string> values = All(section, key);
        return values.Count == 1 ? values[0] : throw new InvalidOperationException($"[{section}] {key} appears {values.Count} times in {File}.");
    }

    /// <summary>Splits a command line as systemd does for the cases the unit uses: white space separates words, ${VAR} is one word.</summary>
    public static IReadOnlyList<string> SplitCommand(string command) => command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
