namespace Hpo.Cli.Parsing;

/// <summary>
/// Finds the known words closest to a mistyped command or option name: the fewest single-character edits (insert, delete, replace,
/// swap two neighbours), at most a third of the word's length (at least one); a known word that starts with what was typed (three
/// characters or more) counts as close too. Leading dashes are compared like any character, so <c>-stuy</c> suggests <c>--study</c>.
/// </summary>
internal static class TypoCorrection
{
    /// <summary>The most suggestions given for one word.</summary>
    public const int MaxSuggestions = 2;

    /// <summary>Gets the closest known words, nearest first (ties in the order given).</summary>
    /// <param name="word">What was typed.</param>
    /// <param name="candidates">The known words.</param>
    /// <returns>At most <see cref="MaxSuggestions"/> words; none when nothing is close.</returns>
    public static IEnumerable<string> Closest(string word, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(candidates);
        int bare = word.TrimStart('-').Length;
        int limit = Math.Max(1, bare / 3);
        return candidates
            .Where(c => !string.Equals(c, word, StringComparison.Ordinal))
            .Select((c, i) => (Word: c, Index: i, Distance: Distance(word, c)))
            .Where(c => c.Distance <= limit || (bare >= 3 && c.Word.TrimStart('-').StartsWith(word.TrimStart('-'), StringComparison.Ordinal)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Index)
            .Take(MaxSuggestions)
            .Select(c => c.Word);
    }

    /// <summary>The optimal-string-alignment distance: insertions, deletions, replacements and swaps of neighbours, each one edit.</summary>
    /// <param name="a">One word.</param>
    /// <param name="b">The other.</param>
    /// <returns>The number of edits.</returns>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
