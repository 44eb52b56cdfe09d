using System.Text;

namespace Hpo.Cli.Parsing;

/// <summary>
/// Splits a command written as one string (<c>--command "python train.py --lr {param:lr}"</c>) into words as a POSIX shell
/// quotes them, without any expansion: white space separates words; single quotes keep everything literally; double quotes keep
/// everything but <c>\"</c> and <c>\\</c>; a backslash outside quotes keeps the next character.
/// </summary>
internal static class CommandWords
{
    /// <summary>Splits a command into words.</summary>
    /// <param name="text">The command.</param>
    /// <returns>The words.</returns>
    /// <exception cref="UsageException">A quote is not closed, or the text ends with a lone backslash.</exception>
    public static List<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                int end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new UsageException($"The single quote at position {i} of \"{text}\" is not closed.");
                }

                word.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                int j = i + 1;
                for (; j < text.Length && text[j] != '"'; j++)
                {
                    if (text[j] == '\\' && j + 1 < text.Length && text[j + 1] is '"' or '\\')
                    {
                        j++;
                    }

                    word.Append(text[j]);
                }

                if (j >= text.Length)
                {
                    throw new UsageException($"The double quote at position {i} of \"{text}\" is not closed.");
                }

                i = j;
            }
            else if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    throw new UsageException($"\"{text}\" ends with a lone backslash.");
                }

                word.Append(text[++i]);
            }
            else
            {
                word.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
