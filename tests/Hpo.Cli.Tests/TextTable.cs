namespace Hpo.Cli.Tests;

/// <summary>Reads what the tool prints, independently of how it writes it: table columns by the rule line, CSV by RFC 4180.</summary>
internal static class TextTable
{
    /// <summary>
    /// Splits a table (header, rule of dashes, rows) into cells using the rule's runs of dashes as column spans, and checks that
    /// every line leaves the gaps between spans blank, which is what aligned columns mean.
    /// </summary>
    public static List<string[]> ReadTable(string[] lines)
    {
        Assert.True(lines.Length >= 2, "A table has a header and a rule.");
        string rule = lines[1];
        Assert.Matches("^-+(  -+)*$", rule);
        var spans = new List<(int Start, int Length)>();
        for (int i = 0; i < rule.Length;)
        {
            int start = i;
            while (i < rule.Length && rule[i] == '-')
            {
                i++;
            }

            spans.Add((start, i - start));
            while (i < rule.Length && rule[i] == ' ')
            {
                i++;
            }
        }

        var rows = new List<string[]>();
        foreach (string line in lines.Where((_, i) => i != 1))
        {
            Assert.True(line.Length <= rule.Length, $"Line '{line}' is longer than the rule.");
            string padded = line.PadRight(rule.Length);
            for (int s = 1; s < spans.Count; s++)
            {
                int gapStart = spans[s - 1].Start + spans[s - 1].Length;
                Assert.True(padded[gapStart..spans[s].Start].Trim().Length == 0, $"Line '{line}' writes into the gap before column {s}.");
            }

            rows.Add([.. spans.Select(sp => padded.Substring(sp.Start, sp.Length).Trim())]);
        }

        return rows;
    }

    /// <summary>Parses CSV text (quoted fields may hold commas, doubled quotes and line breaks).</summary>
    public static List<string[]> ReadCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                Assert.True(field.Length == 0, "A quote may only open a field.");
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }

        Assert.False(quoted, "A quoted field is not closed.");
        Assert.True(field.Length == 0 && row.Count == 0, "The last line does not end with a line break.");
        return rows;
    }
}
