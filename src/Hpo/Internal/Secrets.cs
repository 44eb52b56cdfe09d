using System.Text;
using System.Text.RegularExpressions;

namespace Hpo.Internal;

/// <summary>
/// Removes credentials from text meant for people (messages, logs): the password of every URL (<c>scheme://user:PASSWORD@host</c>,
/// whatever characters the password holds, <c>@</c> and <c>/</c> included), password-like query options (<c>?password=</c>,
/// <c>sslpassword=</c>), and <c>Password=</c>/<c>Pwd=</c> pairs of connection strings. It errs on the side of hiding too much.
/// </summary>
internal static partial class Secrets
{
    /// <summary>What replaces a secret.</summary>
    public const string Mask = "***";

    /// <summary>Removes every credential it recognizes from a text.</summary>
    /// <param name="text">A URL, a connection string, or a message that may quote them.</param>
    /// <returns>The text with its credentials masked.</returns>
    public static string Redact(string? text) => Redact(text, found: null);

    /// <summary>
    /// Gets the credentials a text holds (as written, and percent-decoded), so that a program that was given them can mask them
    /// wherever they show up later, even quoted by another library. Credentials shorter than four characters are left out: masking
    /// every occurrence of them would garble the text, and the patterns of <see cref="Redact(string?)"/> still mask them in URLs.
    /// </summary>
    /// <param name="text">A URL or a connection string.</param>
    /// <returns>The credentials.</returns>
    public static IReadOnlyList<string> Find(string? text)
    {
        var found = new List<string>();
        Redact(text, found);
        var result = new List<string>();
        foreach (string secret in found)
        {
            result.Add(secret);
            try
            {
                result.Add(Uri.UnescapeDataString(secret));
            }
            catch (UriFormatException)
            {
                // Not percent-encoded: as written is all there is.
            }
        }

        return [.. result.Where(s => s.Length >= 4).Distinct(StringComparer.Ordinal)];
    }

    private static string Redact(string? text, List<string>? found)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        string result = text;
        if (result.Contains("://", StringComparison.Ordinal))
        {
            result = RedactUrls(result, found);
        }

        return PasswordPair().Replace(result, m =>
        {
            if (m.Groups["value"].Value != Mask)
            {
                found?.Add(m.Groups["value"].Value.Trim('"', '\''));
            }

            return m.Groups["key"].Value + m.Groups["eq"].Value + Mask;
        });
    }

    /// <summary>Masks the user-info password and the password-like query options of every URL in a text.</summary>
    private static string RedactUrls(string text, List<string>? found)
    {
        var output = new StringBuilder(text.Length);
        int position = 0;
        while (position < text.Length)
        {
            int scheme = text.IndexOf("://", position, StringComparison.Ordinal);
            if (scheme < 0)
            {
                break;
            }

            int start = scheme + 3;

            // The URL runs to the next white space or quote (messages quote URLs as '...').
            int end = start;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('\'' or '"' or '<' or '>' or '`'))
            {
                end++;
            }

            // Sentence punctuation right after a URL is not part of it ("... (from --storage URL).").
            while (end > start && text[end - 1] is '.' or ',' or ';' or ')' or ':')
            {
                end--;
            }

            output.Append(text, position, start - position);
            output.Append(RedactUrl(text[start..end], found));
            position = end;
        }

        output.Append(text, position, text.Length - position);
        return output.ToString();
    }

    /// <summary>Masks the credentials of one URL without its scheme (<c>user:password@host/db?query</c>).</summary>
    private static string RedactUrl(string rest, List<string>? found)
    {
        // The user info ends at the last '@': a password may hold '@', '/' and even '?' unencoded. Only when an option of the query
        // holds that '@' ("?application_name=a@b") does it end at the last '@' before the query.
        int query = rest.IndexOf('?', StringComparison.Ordinal);
        int at = rest.LastIndexOf('@');
        if (query >= 0 && at > query && rest.AsSpan(query, at - query).Contains('='))
        {
            at = query == 0 ? -1 : rest.LastIndexOf('@', query - 1);
        }

        if (at > 0 && query >= 0 && query < at)
        {
            query = rest.IndexOf('?', at);
        }

        string result = rest;
        if (at > 0)
        {
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && colon < at)
            {
                found?.Add(rest[(colon + 1)..at]);
                result = rest[..(colon + 1)] + Mask + rest[at..];
                query = result.IndexOf('?', colon + 1 + Mask.Length + 1);
            }
        }

        if (query >= 0)
        {
            result = result[..(query + 1)] + SecretOption().Replace(result[(query + 1)..], m =>
            {
                found?.Add(m.Groups["value"].Value);
                return m.Groups["key"].Value + "=" + Mask;
            });
        }

        return result;
    }

    [GeneratedRegex(@"(?<key>(?:^|(?<=&))[^&=]*(?:pass|pwd|secret|token)[^&=]*)=(?<value>[^&]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretOption();

    [GeneratedRegex(@"(?<key>\b\w*(?:password|pwd)\b)(?<eq>\s*=\s*)(?<value>""[^""]*""|'[^']*'|[^;&\s'""]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordPair();
}
