using System.Text;

namespace Hpo.Execution.ChildProcess;

/// <summary>
/// Reads lines from a trial program's output with bounded memory: a line longer than the limit comes out in pieces, each
/// marked overlong (such pieces are log, never protocol lines), so a program that floods its output without line breaks
/// cannot exhaust the worker's memory.
/// </summary>
internal sealed class LineReader(TextReader reader, int maxLength)
{
    private readonly char[] buffer = new char[8192];
    private readonly StringBuilder current = new();
    private int start;
    private int end;
    private bool overlong;
    private bool eof;

    /// <summary>Reads the next line (without its line break, a trailing <c>\r</c> removed), or <see langword="null"/> at the end.</summary>
    public async ValueTask<(string Text, bool Overlong)?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = Array.IndexOf(buffer, '\n', start, end - start);
            if (newline >= 0)
            {
                current.Append(buffer, start, newline - start);
                start = newline + 1;
                return Take(ended: true);
            }

            current.Append(buffer, start, end - start);
            start = end = 0;
            if (current.Length >= maxLength)
            {
                (string Text, bool Overlong) piece = Take(ended: false);
                overlong = true;
                return (piece.Text, true);
            }

            if (eof)
            {
                return current.Length > 0 ? Take(ended: true) : null;
            }

            end = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            eof = end == 0;
        }
    }

    private (string Text, bool Overlong) Take(bool ended)
    {
        if (ended && current.Length > 0 && current[^1] == '\r')
        {
            current.Length--;
        }

        string text = current.ToString();
        current.Clear();
        bool wasOverlong = overlong;
        if (ended)
        {
            overlong = false;
        }

        return (text, wasOverlong);
    }
}
